using Portal.Core.Data;
namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// Finds addresses by checking every run of ASCII letters and digits of a plausible length, so an
/// address is found whatever surrounds it (a URI, a colon, quotes) without a pattern of its own.
/// </summary>
internal static class BitcoinAddressScanner
{
    // Shortest: bech32 "bc1" + version + 2-byte program + checksum. Longest: the bech32 limit.
    private const int MinLength = 14;
    private const int MaxLength = 90;

    public static IEnumerable<Found> Find(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]))
            {
                i++;
            }

            var length = i - start;
            if (length is >= MinLength and <= MaxLength
                && text[start] is '1' or '3' or 'b' or 'B'
                && BitcoinAddress.TryParse(text.Substring(start, length), out var address, out var type))
            {
                yield return new Found(start, new Indicator(IndicatorKind.BitcoinAddress, address, type));
            }
        }
    }
}
