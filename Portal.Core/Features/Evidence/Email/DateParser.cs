using System.Globalization;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// RFC 5322 date-time with the obsolete forms still seen in the wild: two- and three-digit
/// years, named zones, no day of week, no seconds, comments such as "(UTC)", and the asctime
/// order "Mon Oct  5 14:32:10 2020". Tokens are classified by shape, not position.
/// </summary>
internal static class DateParser
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static readonly Dictionary<string, int> ZoneHours = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0,
        ["EST"] = -5, ["EDT"] = -4, ["CST"] = -6, ["CDT"] = -5,
        ["MST"] = -7, ["MDT"] = -6, ["PST"] = -8, ["PDT"] = -7,

        // Not in the RFC, but common in mail from Europe and unambiguous.
        ["WET"] = 0, ["WEST"] = 1, ["BST"] = 1, ["CET"] = 1, ["CEST"] = 2, ["MET"] = 1, ["MEST"] = 2,
        ["EET"] = 2, ["EEST"] = 3, ["MSK"] = 3,
    };

    public static DateTimeOffset? Parse(string value)
    {
        var parts = new Parts();
        foreach (var token in Tokens(value))
        {
            if (!parts.Take(token))
            {
                return ParseIso(value);
            }
        }

        return parts.Build() ?? ParseIso(value);
    }

    /// <summary>Spam tools sometimes write ISO 8601 ("2020-10-05T14:32:10+03:00").</summary>
    private static DateTimeOffset? ParseIso(string value)
    {
        var text = value.Trim();
        if (text.Length < 10 || text.Length > 40 || !char.IsAsciiDigit(text[0]) || text[4] != '-')
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
    }

    /// <summary>Words of the value with comments removed and commas as separators.</summary>
    private static List<string> Tokens(string value)
    {
        var tokens = new List<string>();
        var depth = 0;
        var start = -1;
        for (var i = 0; i <= value.Length; i++)
        {
            var c = i < value.Length ? value[i] : ' ';
            var separator = depth > 0 || c is '(' or ')' or ',' || char.IsWhiteSpace(c);
            if (separator && start >= 0)
            {
                tokens.Add(value[start..i]);
                start = -1;
            }

            depth = Math.Max(0, depth + c switch { '(' => 1, ')' => -1, _ => 0 });
            if (!separator && start < 0)
            {
                start = i;
            }
        }

        return tokens;
    }

    private static bool TryOffset(ReadOnlySpan<char> text, out TimeSpan offset)
    {
        offset = default;
        if (text.Length < 3 || text[0] is not ('+' or '-'))
        {
            return false;
        }

        var digits = text[1..].ToString().Replace(":", "", StringComparison.Ordinal);
        if (digits.Length is not (2 or 4) || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var minutes = digits.Length == 4 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
        if (minutes >= 60 || (hours * 60) + minutes > 14 * 60)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0) * (text[0] == '-' ? -1 : 1);
        return true;
    }

    private sealed class Parts
    {
        private int? day;
        private int? month;
        private int? year;
        private int? hour;
        private int? minute;
        private int second;
        private TimeSpan? offset;
        private TimeSpan? namedOffset;
        private bool? afternoon;

        /// <summary>False when the token cannot be part of a date, so the value is not one.</summary>
        public bool Take(string token)
        {
            if (token.Length == 1 && !char.IsAsciiLetterOrDigit(token[0]))
            {
                return true;
            }

            if (token[0] is '+' or '-')
            {
                return TakeOffset(token);
            }

            if (token.Contains(':', StringComparison.Ordinal))
            {
                return TakeTime(token);
            }

            if (token.All(char.IsAsciiDigit))
            {
                return TakeNumber(token);
            }

            if (token.All(char.IsAsciiLetter))
            {
                TakeWord(token);
                return true;
            }

            // "05-Oct-2020"
            if (char.IsAsciiDigit(token[0]) && token.Contains('-', StringComparison.Ordinal))
            {
                return token.Split('-').All(part => part.Length > 0 && Take(part));
            }

            // "GMT+0300", "UTC-05:00"
            var sign = token.IndexOfAny(['+', '-']);
            return sign > 0 && ZoneHours.ContainsKey(token[..sign]) && TakeOffset(token[sign..]);
        }

        public DateTimeOffset? Build()
        {
            if (day is not { } d || month is not { } m || year is not { } y || hour is not { } h || minute is not { } min)
            {
                return null;
            }

            if (afternoon is { } pm)
            {
                if (h is < 1 or > 12)
                {
                    return null;
                }

                h = (h % 12) + (pm ? 12 : 0);
            }

            // Leap seconds exist in mail; DateTimeOffset has none.
            var s = Math.Min(second, 59);
            if (y is < 1900 or > 9998 || d < 1 || d > DateTime.DaysInMonth(y, m) || h > 23 || min > 59)
            {
                return null;
            }

            // A numeric zone beats a name. A missing zone is read as UTC, as RFC 5322 reads "-0000".
            return new DateTimeOffset(y, m, d, h, min, s, offset ?? namedOffset ?? TimeSpan.Zero);
        }

        private bool TakeTime(string token)
        {
            // "14:32:10+0300" with the zone glued on.
            var sign = token.IndexOfAny(['+', '-']);
            if (sign > 0)
            {
                return TakeOffset(token[sign..]) && TakeTime(token[..sign]);
            }

            var fields = token.Split(':');
            if (hour is not null || fields.Length is < 2 or > 3)
            {
                return false;
            }

            // Fractions of a second are dropped.
            var secondsText = fields.Length == 3 ? fields[2].Split('.')[0] : "0";
            if (!TryNumber(fields[0], 2, out var h) || !TryNumber(fields[1], 2, out var m) || !TryNumber(secondsText, 2, out var s) || s > 60)
            {
                return false;
            }

            (hour, minute, second) = (h, m, s);
            return true;
        }

        private bool TakeOffset(string token)
        {
            if (offset is not null || !TryOffset(token, out var parsed))
            {
                return false;
            }

            offset = parsed;
            return true;
        }

        private bool TakeNumber(string token)
        {
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            switch (token.Length)
            {
                case 1 or 2 when day is null:
                    day = number;
                    return true;
                case 1 or 2 when year is null:
                    // RFC 5322 4.3: 00-49 are 2000-2049, 50-99 are 1950-1999.
                    year = number < 50 ? 2000 + number : 1900 + number;
                    return true;
                case 3 when year is null:
                    year = 1900 + number;
                    return true;
                case 4 when year is null:
                    year = number;
                    return true;
                default:
                    return false;
            }
        }

        private void TakeWord(string token)
        {
            var monthIndex = token.Length >= 3 ? Array.IndexOf(Months, token[..3].ToLowerInvariant()) : -1;
            if (monthIndex >= 0 && month is null && !ZoneHours.ContainsKey(token))
            {
                month = monthIndex + 1;
            }
            else if (token.Equals("am", StringComparison.OrdinalIgnoreCase) || token.Equals("pm", StringComparison.OrdinalIgnoreCase))
            {
                afternoon = token.Equals("pm", StringComparison.OrdinalIgnoreCase);
            }
            else if (ZoneHours.TryGetValue(token, out var hours))
            {
                namedOffset ??= TimeSpan.FromHours(hours);
            }
            else if (token.Length == 1)
            {
                // Military zones were defined with the wrong sign in RFC 822; RFC 5322 says to read them as -0000.
                namedOffset ??= TimeSpan.Zero;
            }

            // Anything else, such as the day of the week or an unknown zone name, carries nothing reliable.
        }

        private static bool TryNumber(string text, int maxDigits, out int value)
        {
            value = 0;
            return text.Length is > 0 && text.Length <= maxDigits && text.All(char.IsAsciiDigit)
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
    }
}
