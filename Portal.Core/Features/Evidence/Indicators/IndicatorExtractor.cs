using System.Text.RegularExpressions;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// Pulls the indicators (payment addresses, contact points, links, demanded amounts, deadlines)
/// out of the text of an extortion message so cases can later be grouped into campaigns.
/// </summary>
public static class IndicatorExtractor
{
    /// <summary>
    /// All indicators in the text, distinct by kind and value, in order of first appearance.
    /// Amounts are distinct by value and currency: "500 EUR" and "500 USD" are two demands.
    /// </summary>
    public static IReadOnlyList<Indicator> Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var found = new List<Found>();
        found.AddRange(BitcoinAddressScanner.Find(text));
        found.AddRange(EmailScanner.Find(text));
        found.AddRange(UrlScanner.Find(text));
        found.AddRange(AmountScanner.Find(text));
        found.AddRange(DeadlineScanner.Find(text));

        var seen = new HashSet<(IndicatorKind Kind, string Value, string? Currency)>();
        return found
            .OrderBy(f => f.Position)
            .Select(f => f.Indicator)
            .Where(i => seen.Add((i.Kind, i.Value, i.Kind == IndicatorKind.Amount ? i.Detail : null)))
            .ToList();
    }
}

/// <summary>An indicator and where in the text it starts, so results can be put in reading order.</summary>
internal readonly record struct Found(int Position, Indicator Indicator);

internal static class IndicatorPatterns
{
    /// <summary>Horizontal whitespace, including no-break and narrow no-break spaces.</summary>
    public const string Space = @"[\p{Zs}\t]";

    // Messages are pasted by victims and may be hostile. NonBacktracking keeps matching linear in
    // the length of the text whatever it contains; the timeout is a backstop, not the defence.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(5);

    public static Regex Create(string pattern) => new(
        pattern,
        RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture,
        MatchTimeout);
}
