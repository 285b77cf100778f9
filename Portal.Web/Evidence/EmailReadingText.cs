using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;

namespace Portal.Web.Evidence;

/// <summary>
/// What reading an email noted, as staff read it in their language. The reader's warnings are
/// stored in English with their values written in (they go as they are into the police bundle
/// and the inspect-email output); here each known shape is matched and said again from the
/// resources, with the same values. A shape not known here is shown as stored.
/// </summary>
public static class EmailReadingText
{
    /// <summary>Each warning the reader writes, by the words around its values, and the key that says it.</summary>
    private static readonly (Regex Shape, string Key)[] Warnings =
    [
        (Exactly(AnalyseEvidenceHandler.ForwardedInlineWarning), "EmailWarning.ForwardedInline"),
        (Shape(@"Multipart parts are nested more than (\d+) levels deep; the inner parts were not read\."), "EmailWarning.NestedParts"),
        (Shape(@"A multipart part has no boundary; its body was read as plain text\."), "EmailWarning.NoBoundary"),
        (Shape(@"A multipart boundary never occurs in its body; the body was read as plain text\."), "EmailWarning.BoundaryNotFound"),
        (Shape(@"A multipart body has no parts\."), "EmailWarning.NoParts"),
        (Shape(@"A multipart body ends without its closing boundary; it may be truncated\."), "EmailWarning.NoClosingBoundary"),
        (Shape(@"An attached message is nested more than (\d+) levels deep; it was listed but not read\."), "EmailWarning.NestedMessage"),
        (Shape(@"A Content-Type could not be read; the part was treated as text/plain\."), "EmailWarning.BadContentType"),
        (Shape(@"A folded header line with no field before it was skipped\."), "EmailWarning.StrayFoldedLine"),
        (Shape(@"A header line without a field name and colon was skipped\."), "EmailWarning.BadHeaderLine"),
        (Shape(@"A header block has more than (\d+) fields; (\d+) more were ignored\."), "EmailWarning.TooManyHeaders"),
        (Shape(@"A (.+) header was longer than (\d+) bytes and was cut short\."), "EmailWarning.LongHeader"),
        (Shape(@"NUL bytes in the headers were removed\."), "EmailWarning.NulBytes"),
        (Shape(@"The charset ""(.*)"" is unknown; the text was read as UTF-8 or Windows-1252\."), "EmailWarning.UnknownCharset"),
        (Shape(@"A base64 part contained characters outside the base64 alphabet; they were skipped\."), "EmailWarning.BadBase64"),
        (Shape(@"A quoted-printable part contained malformed escapes; they were kept as written\."), "EmailWarning.BadQuotedPrintable"),
        (Shape(@"A part has an unknown Content-Transfer-Encoding; it was read as is\."), "EmailWarning.UnknownTransferEncoding"),
        (Shape(@"The message is empty\."), "EmailWarning.Empty"),
        (Shape(@"No header fields were found; this may not be an email message\."), "EmailWarning.NoHeaders"),
        (Shape(@"The From header lists (\d+) mailboxes; the first was used\."), "EmailWarning.ManyFrom"),
        (Shape(@"The Date header could not be read\."), "EmailWarning.BadDate"),
        (Shape(@"The input is larger than (\d+) bytes; only the first \d+ bytes were read\."), "EmailWarning.Truncated"),
        (Shape(@"The message has more than one (.+) header; the first was used\."), "EmailWarning.RepeatedHeader"),
        (Shape(@"The message has more than (\d+) MIME parts; the rest were not read\."), "EmailWarning.TooManyParts"),
        (Shape(@"More than (\d+) problems were found; the rest are not listed\."), "EmailWarning.TooManyWarnings"),
        (Shape(@"The text in (.+) is RTF only and was not read; it is listed as (.+)\."), "EmailWarning.RtfOnly"),
        (Shape(@"This message was attached in Outlook's TNEF format and converted: its Received and other Internet headers were not kept\."), "EmailWarning.TnefConverted"),
        (Shape(@"(.+) is nested more than (\d+) levels deep; it was listed but not opened\."), "EmailWarning.TnefNested"),
        (Shape(@"(.+) is larger than (\d+) bytes; it was listed but not opened\."), "EmailWarning.TnefTooLarge"),
        (Shape(@"(.+) could not be read as TNEF \((\w+)\); it was listed but not opened\."), "EmailWarning.TnefUnreadable"),
        (Shape(@"An address in the (.+) header could not be read and was skipped\."), "EmailWarning.BadAddress"),
        (Shape(@"The date of Received hop (\d+) could not be read\."), "EmailWarning.BadHopDate"),
    ];

    /// <summary>The reasons the analysis stores for a file read only in part (AnalyseEvidenceHandler).</summary>
    private static readonly Dictionary<string, string> PartialReasons = new(StringComparer.Ordinal)
    {
        ["size"] = "Case.Analysis.Reason.Size",
        ["time"] = "Case.Analysis.Reason.Time",
        ["text"] = "Case.Analysis.Reason.Text",
        ["file-indicators"] = "Case.Analysis.Reason.FileIndicators",
        ["case-indicators"] = "Case.Analysis.Reason.CaseIndicators",
    };

    /// <summary>Every key this class may look up, for the translation tests.</summary>
    public static IEnumerable<string> Keys =>
        Warnings.Select(w => w.Key).Concat(PartialReasons.Values).Concat(["Case.Analysis.Partial", "Case.Analysis.Failed"]);

    public static string EmailWarning(this IStringLocalizer t, string stored)
    {
        foreach (var (shape, key) in Warnings)
        {
            if (shape.Match(stored) is { Success: true } match)
            {
                return t[key, match.Groups.Values.Skip(1).Select(g => (object)g.Value).ToArray()].Value;
            }
        }

        return stored;
    }

    /// <summary>Why a file was not read in full, or null when it was (or is not a kind that is read).</summary>
    public static string? AnalysisStatus(this IStringLocalizer t, AnalysisState state, string? note) => state switch
    {
        AnalysisState.Partial => t["Case.Analysis.Partial", string.Join(", ", (note ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(reason => PartialReasons.TryGetValue(reason, out var key) ? t[key].Value : reason))].Value,
        AnalysisState.Failed => t["Case.Analysis.Failed"].Value,
        _ => null,
    };

    private static Regex Shape(string pattern) => new("^" + pattern + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);

    private static Regex Exactly(string text) => Shape(Regex.Escape(text));
}
