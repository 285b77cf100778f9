using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portal.Core.Crypto;

namespace Portal.Core.Features.Campaigns;

/// <summary>
/// "Near-identical subject", made concrete: two subjects are near-identical when their normalised
/// forms are equal. Normalising (NFKC) folds compatibility characters, drops any run of reply and
/// forward prefixes ("Re:", "Fwd:", Finnish "VS:"/"VL:", Swedish "SV:"/"VB:"), lower-cases,
/// removes digits (case numbers, amounts, dates that vary per message), turns punctuation and
/// symbols into spaces and collapses white space. Subjects with fewer than
/// <see cref="MinimumLetters"/> letters left ("Hi", "Re: 123") say nothing and give no fingerprint.
/// <para>
/// Subjects of extortion emails often carry the victim's name, so only a keyed hash of the
/// normalised subject is stored: equal subjects still match by equality, and the database alone
/// does not reveal them (nor lets anyone test guessed names against them). The key is the
/// "indicator-mac" secret in the key directory.
/// </para>
/// </summary>
public sealed class SubjectFingerprint(IKeySource keys)
{
    public const string SecretName = "indicator-mac";
    public const int MinimumLetters = 8;

    /// <summary>Hex characters kept of the HMAC: 128 bits, plenty for equality among reports.</summary>
    private const int FingerprintLength = 32;

    private static readonly string[] ReplyPrefixes = ["re", "fw", "fwd", "vs", "vl", "sv", "vb", "aw", "wg", "tr", "antw"];

    /// <summary>The indicator value for the domain-and-subject rule: "domain/fingerprint", or null when the subject says too little.</summary>
    public string? DomainSubject(string sendingDomain, string? subject)
    {
        var normalised = Normalise(subject);
        if (normalised is null || sendingDomain.Length == 0)
        {
            return null;
        }

        var mac = HMACSHA256.HashData(keys.GetSecret(SecretName), Encoding.UTF8.GetBytes(normalised));
        return sendingDomain.ToLowerInvariant() + "/" + Convert.ToHexStringLower(mac)[..FingerprintLength];
    }

    /// <summary>The normalised subject, or null when it has too few letters to match on.</summary>
    public static string? Normalise(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            return null;
        }

        var text = StripReplyPrefixes(subject.Normalize(NormalizationForm.FormKC));
        var builder = new StringBuilder(text.Length);
        var letters = 0;
        var pendingSpace = false;
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsLetter(c))
            {
                if (pendingSpace && builder.Length > 0)
                {
                    builder.Append(' ');
                }

                pendingSpace = false;
                builder.Append(c);
                letters++;
            }
            else if (!char.IsDigit(c) && CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark))
            {
                // Punctuation, symbols and white space separate words; digits vanish without a trace,
                // so "Case 123" and "Case 4567" agree, and so do "Case 1-2" and "Case 12".
                pendingSpace = true;
            }
        }

        return letters >= MinimumLetters ? builder.ToString() : null;
    }

    private static string StripReplyPrefixes(string subject)
    {
        var rest = subject.AsSpan().TrimStart();
        while (true)
        {
            var colon = rest.IndexOfAny(':', '：');
            if (colon <= 0 || colon > 8)
            {
                return rest.ToString();
            }

            // "Re[2]:" and "Fwd 3:" count as prefixes too.
            var token = rest[..colon].Trim().ToString().ToLowerInvariant();
            var bracket = token.IndexOfAny(['[', '(', ' ']);
            var word = bracket > 0 ? token[..bracket] : token;
            if (!ReplyPrefixes.Contains(word) || !token[word.Length..].All(c => char.IsDigit(c) || c is '[' or ']' or '(' or ')' or ' '))
            {
                return rest.ToString();
            }

            rest = rest[(colon + 1)..].TrimStart();
        }
    }
}
