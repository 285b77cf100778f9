using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Portal.Tests.Browser;

/// <summary>
/// Waits until a page is at an address (a Playwright-style glob: ** for anything, * for anything
/// but a slash) and its document has loaded. It watches the page's address rather than waiting
/// for the next navigation event: Playwright's WaitForURLAsync reads the address, then listens
/// for a navigation, and a navigation committed in between was missed now and then (the run
/// timed out with the page already at the expected address).
/// </summary>
public static class PageAddress
{
    public static async Task<bool> WaitForAsync(IPage page, string glob, TimeSpan timeout)
    {
        var pattern = Pattern(glob);
        var waited = Stopwatch.StartNew();
        while (!pattern.IsMatch(page.Url))
        {
            if (waited.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25));
        }

        try
        {
            var left = Math.Max(1, (timeout - waited.Elapsed).TotalMilliseconds);
            await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded, new PageWaitForLoadStateOptions { Timeout = (float)left });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public static Regex Pattern(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$");
}
