using System.Text.RegularExpressions;
using AngleSharp.Dom;

namespace Portal.Tests.Support;

/// <summary>
/// Crisis numbers on a page: each must be a tel: link (a tap calls it) that dials what it shows,
/// and say when it answers in the crisis panel's words (the Crisis.Hours.* strings).
/// </summary>
public static partial class PhoneNumbers
{
    /// <summary>The Crisis.Hours.* key for each number the portal gives, by the digits it dials.</summary>
    private static readonly Dictionary<string, string> HoursKeys = new(StringComparer.Ordinal)
    {
        ["112"] = "Crisis.Hours.112",
        ["358925250111"] = "Crisis.Hours.MieliFinnish",
        ["358925250112"] = "Crisis.Hours.MieliOther",
        ["358925250116"] = "Crisis.Hours.MieliOther",
        ["116006"] = "Crisis.Hours.Riku",
    };

    /// <summary>Numbers in the text outside tel: links: 112, or six or more digits in groups (116 006, 09 2525 0111, +358 9 2525 0111).</summary>
    public static IReadOnlyList<string> OutsideTelLinks(IElement root)
    {
        var copy = (IElement)root.Clone(deep: true);
        foreach (var link in copy.QuerySelectorAll("a[href^='tel:']").ToList())
        {
            link.Remove();
        }

        return PhoneLike().Matches(copy.TextContent).Select(m => m.Value).ToList();
    }

    /// <summary>Problems with the tel: links under <paramref name="root"/>: a link that dials another number than it shows, a number the portal does not know, or no opening hours in the link's paragraph or list item.</summary>
    public static IReadOnlyList<string> LinkProblems(IElement root, string language)
    {
        var hours = Hours(language);
        var problems = new List<string>();
        foreach (var link in root.QuerySelectorAll("a[href^='tel:']"))
        {
            var dialled = Digits(link.GetAttribute("href") ?? "");
            var shown = Digits(link.TextContent);
            var shownDialled = shown.StartsWith('0') ? "358" + shown[1..] : shown;
            if (shown.Length > 0 && shownDialled != dialled)
            {
                problems.Add($"{link.OuterHtml} dials another number than it shows");
            }

            if (!HoursKeys.TryGetValue(dialled, out var key))
            {
                problems.Add($"{link.OuterHtml} is not a number the crisis panel gives");
                continue;
            }

            var block = link.Closest("li, p");
            var expected = hours[key].TrimEnd('.');
            if (block is null || !block.TextContent.Contains(expected, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{link.OuterHtml} does not say \"{expected}\" next to it: \"{block?.TextContent.Trim()}\"");
            }
        }

        return problems;
    }

    private static Dictionary<string, string> Hours(string language) =>
        RepositoryFiles.Strings(language).Where(s => s.Key.StartsWith("Crisis.Hours.", StringComparison.Ordinal)).ToDictionary();

    private static string Digits(string text) => new(text.Where(char.IsAsciiDigit).ToArray());

    [GeneratedRegex(@"(?<![\d+])(?:112|\+?\d(?:[ \u00a0]?\d){5,})(?![\d])")]
    private static partial Regex PhoneLike();
}
