using System.Globalization;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// Host names as they appear in links and email addresses. Deliberately strict (letters, digits
/// and hyphens, a top-level domain of letters) so that file names and version numbers in a
/// message do not become domains.
/// </summary>
internal static class HostName
{
    private const int MaxLength = 253;
    private const int MaxLabelLength = 63;

    public static bool IsValid(string host)
    {
        if (host.Length is 0 or > MaxLength)
        {
            return false;
        }

        var labels = host.Split('.');
        if (labels.Length < 2)
        {
            return false;
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > MaxLabelLength
                || label[0] == '-'
                || label[^1] == '-'
                || !label.All(c => char.IsLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        var topLevel = labels[^1];
        return (topLevel.Length >= 2 && topLevel.All(char.IsLetter))
            || topLevel.StartsWith("xn--", StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsIPv4(string host)
    {
        var parts = host.Split('.');
        return parts.Length == 4
            && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    /// <summary>
    /// The domain to cluster on: lower-case, without a trailing dot or a leading "www.". Subdomains
    /// are kept because without the public suffix list "evil.example.co.uk" cannot be cut safely,
    /// and a campaign's own subdomains are themselves worth matching on.
    /// </summary>
    public static string ToDomain(string host)
    {
        var domain = host.TrimEnd('.').ToLowerInvariant();
        return domain.StartsWith("www.", StringComparison.Ordinal) && IsValid(domain[4..]) ? domain[4..] : domain;
    }
}
