using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Portal.Tests.Browser;

/// <summary>
/// Waits until a page is at an address (a Playwright-style glob: ** for anything, * for anything
/// but a slash) and its document has been parsed. It watches the page's address and asks the
/// document for its readyState rather than waiting for Playwright's navigation and load events:
/// in full runs WaitForURLAsync, and then WaitForLoadStateAsync, now and then waited out their
/// minute with the page already at the expected address. A glob without a fragment matches the
/// address whatever its fragment: a redirect keeps the fragment of the form that was sent (a
/// victim's form posts to #error-summary, so that a refusal opens at its error), unless it names
/// its own; a glob with one must match it too.
/// </summary>
public static class PageAddress
{
    public static async Task<bool> WaitForAsync(IPage page, string glob, TimeSpan timeout)
    {
        var pattern = Pattern(glob);
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < timeout)
        {
            if (pattern.IsMatch(page.Url) && await ReadyStateAsync(page) is "interactive" or "complete" && pattern.IsMatch(page.Url))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25));
        }

        return false;
    }

    /// <summary>The document's readyState; "" while the page is between documents.</summary>
    public static async Task<string> ReadyStateAsync(IPage page)
    {
        try
        {
            var state = page.EvaluateAsync<string>("() => document.readyState");
            return await Task.WhenAny(state, Task.Delay(TimeSpan.FromSeconds(2))) == state ? await state : "";
        }
        catch (PlaywrightException)
        {
            // The execution context went with a navigation: ask the next document.
            return "";
        }
    }

    public static Regex Pattern(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            + (glob.Contains('#', StringComparison.Ordinal) ? "$" : "(#[^#]*)?$"));
}
