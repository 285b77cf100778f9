using System.Globalization;
using System.Text.RegularExpressions;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// Deadlines given as a span of hours or days ("within 24 hours", "48 tunnin sisällä",
/// "inom 2 dygn", "two days"), converted to hours. Clock times and dates are not deadlines here:
/// the campaign signature is the span, not when a particular message was sent.
/// </summary>
internal static class DeadlineScanner
{
    private const string Sp = IndicatorPatterns.Space;

    private static readonly Dictionary<string, int> HourUnits = Units(1,
        "hours", "hour", "hrs", "hr", "h",
        "tuntia", "tunnin", "tunnissa", "tunti", "tunnit", "tuntien", "tunneissa",
        "timmar", "timmarna", "timmars", "timme", "timmes");

    private static readonly Dictionary<string, int> DayUnits = Units(24,
        "days", "day",
        "päivää", "päivän", "päivässä", "päivä", "päivät", "päivien", "päivissä",
        "vuorokautta", "vuorokauden", "vuorokaudessa", "vuorokausi", "vuorokaudet", "vuorokausien", "vrk",
        "dagar", "dagars", "dag", "dygn", "dygns");

    private static readonly Dictionary<string, int> NumberWords = BuildNumberWords();

    // "one day we will…", "en dag…": an article or "one" is a deadline only after "within" or "in".
    private static readonly HashSet<string> NeedPreposition = new(StringComparer.Ordinal) { "a", "an", "one", "en" };

    private static readonly HashSet<string> Prepositions = new(StringComparer.Ordinal)
    {
        "within", "in", "inside", "inom", "på", "the", "next",
    };

    private static readonly HashSet<string> Postpositions = new(StringComparer.Ordinal)
    {
        "sisällä", "kuluessa", "aikana", "kuluttua",
    };

    // "vuorokauden sisällä", "within a day" with the number left unsaid.
    private static readonly HashSet<string> OneDay = new(StringComparer.Ordinal) { "vuorokauden", "vuorokaudessa" };

    // No capture groups: NonBacktracking then finds matches in its fast mode, and a match is
    // short enough to take apart by hand.
    private static readonly Regex Pattern = IndicatorPatterns.Create(
        $@"(?:\b(?:within|in|inside|inom|på)(?:{Sp}{{1,3}}the(?:{Sp}{{1,3}}next)?)?{Sp}{{1,3}})?"
        + $@"(?:\b(?:[0-9]{{1,3}}|{Alternation(NumberWords.Keys)})(?:{Sp}{{0,3}}|[-‐‑])(?:{Alternation(HourUnits.Keys.Concat(DayUnits.Keys))})"
        + $@"|\b(?:{Alternation(OneDay)}))\b"
        + $@"(?:{Sp}{{1,3}}(?:{Alternation(Postpositions)})\b)?");

    public static IEnumerable<Found> Find(string text)
    {
        foreach (Match match in Pattern.Matches(text))
        {
            var words = Words(match.Value);
            var first = 0;
            while (first < words.Count - 1 && Prepositions.Contains(words[first].Text))
            {
                first++;
            }

            var end = Postpositions.Contains(words[^1].Text) ? words.Count - 1 : words.Count;
            if (FollowsDecimalOrTime(text, match.Index + words[first].Start)
                || !TryReadHours(words[first..end], hasPreposition: first > 0, out var hours)
                || hours == 0)
            {
                continue;
            }

            yield return new Found(match.Index, new Indicator(IndicatorKind.Deadline, hours.ToString(CultureInfo.InvariantCulture), match.Value));
        }
    }

    /// <summary>The quantity words then the unit, e.g. ["twenty", "four", "hours"] or ["24", "h"].</summary>
    private static bool TryReadHours(List<(string Text, int Start)> words, bool hasPreposition, out int hours)
    {
        hours = 0;
        var unit = words[^1].Text;
        if (words.Count == 1)
        {
            hours = OneDay.Contains(unit) ? 24 : 0;
            return hours > 0;
        }

        var quantity = string.Join('-', words[..^1].Select(w => w.Text));
        if (!int.TryParse(quantity, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && !(NumberWords.TryGetValue(quantity, out count) && (hasPreposition || !NeedPreposition.Contains(quantity))))
        {
            return false;
        }

        hours = count * (HourUnits.TryGetValue(unit, out var factor) ? factor : DayUnits[unit]);
        return true;
    }

    /// <summary>
    /// Lower-cased runs of letters or of digits with their offsets; "24h" is two words, and
    /// spaces and hyphens only separate.
    /// </summary>
    private static List<(string Text, int Start)> Words(string value)
    {
        var words = new List<(string Text, int Start)>();
        var i = 0;
        while (i < value.Length)
        {
            if (!char.IsLetterOrDigit(value[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var digits = char.IsAsciiDigit(value[i]);
            while (i < value.Length && char.IsLetterOrDigit(value[i]) && char.IsAsciiDigit(value[i]) == digits)
            {
                i++;
            }

            words.Add((value[start..i].ToLowerInvariant(), start));
        }

        return words;
    }

    /// <summary>"1.5 hours" and "12:30 h" must not read as 5 or 30 hours.</summary>
    private static bool FollowsDecimalOrTime(string text, int index) =>
        index >= 2 && text[index - 1] is '.' or ',' or ':' && char.IsAsciiDigit(text[index - 2]);

    private static Dictionary<string, int> Units(int hours, params string[] names) =>
        names.ToDictionary(n => n, _ => hours, StringComparer.Ordinal);

    /// <summary>Longest first, so the pattern prefers "tuntia" to "tunti" and "twenty-four" to "twenty".</summary>
    private static string Alternation(IEnumerable<string> words) => string.Join('|', words
        .OrderByDescending(w => w.Length)
        .Select(w => Regex.Escape(w).Replace("-", @"[-\p{Zs}]", StringComparison.Ordinal)));

    private static Dictionary<string, int> BuildNumberWords()
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["a"] = 1, ["an"] = 1,
        };

        string[] ones = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        string[] teens = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
        string[] tens = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
        for (var i = 0; i < ones.Length; i++)
        {
            words[ones[i]] = i + 1;
        }

        for (var i = 0; i < teens.Length; i++)
        {
            words[teens[i]] = i + 10;
        }

        for (var t = 0; t < tens.Length; t++)
        {
            words[tens[t]] = (t + 2) * 10;
            for (var o = 0; o < ones.Length; o++)
            {
                words[$"{tens[t]}-{ones[o]}"] = ((t + 2) * 10) + o + 1;
            }
        }

        // Finnish: nominative, genitive ("kahden päivän sisällä"), partitive and inessive forms
        // of the numbers a deadline is likely to use.
        (int Value, string[] Forms)[] finnish =
        [
            (1, ["yksi", "yhden", "yhtä", "yhdessä"]),
            (2, ["kaksi", "kahden", "kahta", "kahdessa", "parin"]),
            (3, ["kolme", "kolmen", "kolmea", "kolmessa"]),
            (4, ["neljä", "neljän", "neljää", "neljässä"]),
            (5, ["viisi", "viiden", "viittä", "viidessä"]),
            (6, ["kuusi", "kuuden", "kuutta", "kuudessa"]),
            (7, ["seitsemän", "seitsemää", "seitsemässä"]),
            (8, ["kahdeksan", "kahdeksaa", "kahdeksassa"]),
            (9, ["yhdeksän", "yhdeksää", "yhdeksässä"]),
            (10, ["kymmenen", "kymmentä", "kymmenessä"]),
            (12, ["kaksitoista", "kahdentoista", "kahtatoista"]),
            (24, ["kaksikymmentäneljä", "kahdenkymmenenneljän"]),
            (36, ["kolmekymmentäkuusi", "kolmenkymmenenkuuden"]),
            (48, ["neljäkymmentäkahdeksan", "neljänkymmenenkahdeksan"]),
            (72, ["seitsemänkymmentäkaksi", "seitsemänkymmenenkahden"]),
        ];

        (int Value, string[] Forms)[] swedish =
        [
            (1, ["en", "ett"]),
            (2, ["två"]),
            (3, ["tre"]),
            (4, ["fyra"]),
            (5, ["fem"]),
            (6, ["sex"]),
            (7, ["sju"]),
            (8, ["åtta"]),
            (9, ["nio"]),
            (10, ["tio"]),
            (12, ["tolv"]),
            (24, ["tjugofyra"]),
            (36, ["trettiosex"]),
            (48, ["fyrtioåtta"]),
            (72, ["sjuttiotvå"]),
        ];

        foreach (var (value, forms) in finnish.Concat(swedish))
        {
            foreach (var form in forms)
            {
                words[form] = value;
            }
        }

        return words;
    }
}
