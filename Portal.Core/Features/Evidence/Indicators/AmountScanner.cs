using System.Text;
using System.Text.RegularExpressions;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// Demanded amounts. A number counts only with a currency marker right next to it, before
/// ("€500", "BTC 0.1") or after ("500 euroa", "0,5 bitcoinia"), so years, phone numbers and times
/// in the message are never taken for amounts.
/// </summary>
internal static class AmountScanner
{
    private const string Sp = IndicatorPatterns.Space;

    // Grouped thousands ("1 500", "1.500", "1,500", with any no-break space) before plain digits,
    // so the longer reading wins; both may end in decimals. Bounded so a run of digits cannot
    // become an absurd amount. ASCII digits only: \d would also take other scripts' digits.
    private const string Number = @"(?:[0-9]{1,3}(?:[\p{Zs}.,][0-9]{3})+(?:[.,][0-9]{1,8})?|[0-9]{1,15}(?:[.,][0-9]{1,8})?)";

    // Written forms in English, Finnish and Swedish: "bitcoins", "bitcoinia", "euroa", "euron",
    // "dollaria", and the Finnish cases a demand is phrased in ("nousee 0,5 bitcoiniin").
    private const string SuffixCurrency =
        @"(?:btc|xbt|bitcoin(?:s|ia|in|iin|ista|eja|eina)?|eur|euro(?:s|a|n|t|on|sta|ja|ina)?|usd|dollar(?:s|i|ia|in|iin|ista|eita|eja)?)\b|[₿€$]";

    private const string PrefixCurrency = @"\b(?:btc|xbt|eur|usd|us\$)|[₿€$]";

    // No capture groups: NonBacktracking then finds matches in its fast mode, and a match is
    // short enough to take apart by hand.
    private static readonly Regex Pattern = IndicatorPatterns.Create(
        $@"(?:{PrefixCurrency}){Sp}{{0,2}}{Number}\b|\b{Number}{Sp}{{0,2}}(?:{SuffixCurrency})");

    public static IEnumerable<Found> Find(string text)
    {
        foreach (Match match in Pattern.Matches(text))
        {
            var value = match.Value;
            var first = value.AsSpan().IndexOfAnyInRange('0', '9');
            var last = value.AsSpan().LastIndexOfAnyInRange('0', '9');
            var currency = CurrencyCode(value[..first].Trim() + value[(last + 1)..].Trim());
            var amount = Normalize(value[first..(last + 1)], currency);
            if (amount is not null)
            {
                yield return new Found(match.Index, new Indicator(IndicatorKind.Amount, amount, currency));
            }
        }
    }

    private static string CurrencyCode(string marker) => marker.ToLowerInvariant() switch
    {
        "₿" => "BTC",
        var m when m.StartsWith("btc", StringComparison.Ordinal)
            || m.StartsWith("xbt", StringComparison.Ordinal)
            || m.StartsWith("bitcoin", StringComparison.Ordinal) => "BTC",
        "€" => "EUR",
        var m when m.StartsWith("eur", StringComparison.Ordinal) => "EUR",
        _ => "USD",
    };

    /// <summary>
    /// Reads a number written with any of the usual separators into an invariant decimal string.
    /// When both '.' and ',' appear the last one is the decimal point. A lone separator followed
    /// by exactly three digits groups thousands ("1.500 €", "$1,500"), except in bitcoin, where
    /// amounts are small and "1.500 BTC" means one and a half. Null for zero or an inconsistent
    /// number.
    /// </summary>
    internal static string? Normalize(string number, string currency)
    {
        var hasSpaceGrouping = number.Any(c => !char.IsAsciiDigit(c) && c is not ('.' or ','));
        var digitsAndMarks = new string([.. number.Where(c => char.IsAsciiDigit(c) || c is '.' or ',')]);

        var lastMark = digitsAndMarks.LastIndexOfAny(['.', ',']);
        var decimalMark = -1;
        if (lastMark >= 0)
        {
            var mark = digitsAndMarks[lastMark];
            var sameMarks = digitsAndMarks.Count(c => c == mark);
            var otherMarks = digitsAndMarks.Length - digitsAndMarks.Count(char.IsAsciiDigit) - sameMarks;
            var digitsAfter = digitsAndMarks.Length - lastMark - 1;
            var integerPart = digitsAndMarks[..lastMark];

            if (otherMarks > 0)
            {
                // "1.500,50" or "1,500.00": the other mark groups thousands, so this one must be
                // the decimal point, and a number has only one.
                if (sameMarks > 1)
                {
                    return null;
                }

                decimalMark = lastMark;
            }
            else if (sameMarks > 1)
            {
                decimalMark = digitsAfter == 3 ? -1 : lastMark;
            }
            else
            {
                var groupsThousands = digitsAfter == 3
                    && !hasSpaceGrouping
                    && currency != "BTC"
                    && integerPart.TrimStart('0').Length > 0;
                decimalMark = groupsThousands ? -1 : lastMark;
            }
        }

        var whole = new StringBuilder();
        var fraction = new StringBuilder();
        for (var i = 0; i < digitsAndMarks.Length; i++)
        {
            if (char.IsAsciiDigit(digitsAndMarks[i]))
            {
                (decimalMark >= 0 && i > decimalMark ? fraction : whole).Append(digitsAndMarks[i]);
            }
        }

        var wholeText = whole.ToString().TrimStart('0');
        var fractionText = fraction.ToString().TrimEnd('0');
        if (wholeText.Length == 0 && fractionText.Length == 0)
        {
            return null;
        }

        return fractionText.Length == 0
            ? wholeText
            : $"{(wholeText.Length == 0 ? "0" : wholeText)}.{fractionText}";
    }
}
