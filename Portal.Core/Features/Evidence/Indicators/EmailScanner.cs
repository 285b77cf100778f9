using System.Text.RegularExpressions;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// Email addresses, plain ("name@example.com") and in the simple disguises extortionists use to get
/// past filters ("name (at) example (dot) com", "name[at]example.com").
/// </summary>
internal static class EmailScanner
{
    private const string Sp = IndicatorPatterns.Space;
    private const string LocalPart = @"[\p{L}\p{N}._%+-]+";
    private const string Label = @"[\p{L}\p{N}-]+";
    private const string Open = @"[(\[{<]";
    private const string Close = @"[)\]}>]";
    private const string ObfuscatedDot = Sp + "{0,3}" + Open + Sp + "{0,2}(?:dot|piste|punkt|\\.)" + Sp + "{0,2}" + Close + Sp + "{0,3}";
    private const string AtToken = Sp + "{0,3}" + Open + Sp + "{0,2}(?:at|ät|@)" + Sp + "{0,2}" + Close + Sp + "{0,3}";
    private const int MaxLocalLength = 64;

    // No capture groups: NonBacktracking then finds matches in its fast mode, and a match is
    // short enough to take apart by hand.
    private static readonly Regex Plain = IndicatorPatterns.Create(
        $@"{LocalPart}@(?:{Label}\.)+\p{{L}}{{2,}}\b");

    private static readonly Regex Obfuscated = IndicatorPatterns.Create(
        $@"{LocalPart}{AtToken}(?:{Label}(?:{ObfuscatedDot}|\.))+\p{{L}}{{2,}}\b");

    private static readonly Regex AtTokenPattern = IndicatorPatterns.Create(AtToken);
    private static readonly Regex ObfuscatedDotPattern = IndicatorPatterns.Create(ObfuscatedDot);

    public static IEnumerable<Found> Find(string text)
    {
        foreach (Match match in Plain.Matches(text))
        {
            var at = match.Value.LastIndexOf('@');
            if (TryCreate(match, match.Value[..at], match.Value[(at + 1)..], out var found))
            {
                yield return found.Email;
                yield return found.Domain;
            }
        }

        foreach (Match match in Obfuscated.Matches(text))
        {
            var at = AtTokenPattern.Match(match.Value);
            var domain = ObfuscatedDotPattern.Replace(match.Value[(at.Index + at.Length)..], ".");
            if (TryCreate(match, match.Value[..at.Index], domain, out var found))
            {
                yield return found.Email;
                yield return found.Domain;
            }
        }
    }

    private static bool TryCreate(Match match, string rawLocal, string rawDomain, out (Found Email, Found Domain) found)
    {
        found = default;

        // The pattern may start inside a run of dots ("...name@"); those are punctuation.
        var local = rawLocal.TrimStart('.').ToLowerInvariant();
        var domain = rawDomain.ToLowerInvariant();
        if (local.Length is 0 or > MaxLocalLength || !HostName.IsValid(domain))
        {
            return false;
        }

        var position = match.Index + (rawLocal.Length - local.Length);
        found = (
            new Found(position, new Indicator(IndicatorKind.EmailAddress, $"{local}@{domain}", null)),
            new Found(position, new Indicator(IndicatorKind.Domain, HostName.ToDomain(domain), null)));
        return true;
    }
}
