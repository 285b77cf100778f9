using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Walks the MIME tree of one message, collecting body text and describing attachments.
/// Attachments are decoded only to be measured and hashed, never opened.
/// </summary>
internal sealed partial class MimeWalker(EmailReadContext context)
{
    private static readonly MimeFieldValue PlainText = new("text/plain", new Dictionary<string, string>());

    private readonly List<string> plainTexts = [];
    private readonly List<string> htmlTexts = [];
    private readonly List<EmailAttachment> attachments = [];
    private readonly List<ParsedEmail> embeddedMessages = [];

    public IReadOnlyList<EmailAttachment> Attachments => attachments;

    public IReadOnlyList<ParsedEmail> EmbeddedMessages => embeddedMessages;

    public void WalkMessage(ReadOnlySpan<byte> body, IReadOnlyList<RawHeader> headers, int depth)
    {
        if (context.TryTakePart())
        {
            WalkEntity(body, headers, depth, "text/plain");
        }
    }

    /// <summary>
    /// The text/plain parts; when they are all blank, the HTML parts as text. Extortion mail
    /// often carries an empty plain part next to the HTML that holds the demand.
    /// </summary>
    public string TextBody()
    {
        var texts = plainTexts.Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
        if (texts.Count == 0)
        {
            texts = htmlTexts.Select(HtmlText.ToText).Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
        }

        return string.Join("\n\n", texts.Select(Tidy));
    }

    /// <summary>
    /// Line endings become \n; NULs and invisible characters that spammers insert to split
    /// words past filters (zero width space, word joiner, BOM, soft hyphen) are removed.
    /// </summary>
    private static string Tidy(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ReplaceLineEndings("\n"))
        {
            if (c is not ('\0' or '\u200B' or '\u2060' or '\uFEFF' or '\u00AD'))
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Trim();
    }

    private void WalkEntity(ReadOnlySpan<byte> body, IReadOnlyList<RawHeader> headers, int depth, string defaultType)
    {
        var contentType = ContentType(headers, defaultType);
        if (contentType.Value.StartsWith("multipart/", StringComparison.Ordinal))
        {
            if (WalkMultipart(body, contentType, depth))
            {
                return;
            }

            contentType = PlainText;
        }

        WalkLeaf(body, headers, contentType, depth);
    }

    /// <summary>False when the body cannot be split, so the caller reads it as text instead.</summary>
    private bool WalkMultipart(ReadOnlySpan<byte> body, MimeFieldValue contentType, int depth)
    {
        if (depth >= context.MaxDepth)
        {
            context.Warn($"Multipart parts are nested more than {context.MaxDepth} levels deep; the inner parts were not read.");
            return true;
        }

        var boundary = contentType.Parameter("boundary");
        if (string.IsNullOrEmpty(boundary))
        {
            context.Warn("A multipart part has no boundary; its body was read as plain text.");
            return false;
        }

        var parts = MultipartBody.Split(body, Encoding.UTF8.GetBytes("--" + boundary), out var closed);
        if (parts.Count == 0 && !closed)
        {
            context.Warn("A multipart boundary never occurs in its body; the body was read as plain text.");
            return false;
        }

        if (parts.Count == 0)
        {
            context.Warn("A multipart body has no parts.");
        }

        if (!closed)
        {
            context.Warn("A multipart body ends without its closing boundary; it may be truncated.");
        }

        // A digest's parts are messages unless they say otherwise (RFC 2046 5.1.5).
        var childDefault = contentType.Value == "multipart/digest" ? "message/rfc822" : "text/plain";
        foreach (var (start, length) in parts)
        {
            if (!context.TryTakePart())
            {
                break;
            }

            var part = body.Slice(start, length);
            var partHeaders = HeaderBlock.Read(part, context, out var bodyStart);
            WalkEntity(part[bodyStart..], partHeaders, depth + 1, childDefault);
        }

        return true;
    }

    private void WalkLeaf(ReadOnlySpan<byte> body, IReadOnlyList<RawHeader> headers, MimeFieldValue contentType, int depth)
    {
        var disposition = HeaderBlock.First(headers, "Content-Disposition") is { } raw ? MimeParameters.Parse(raw, context) : null;
        var fileName = FileName(disposition, contentType);
        var content = TransferEncoding.Decode(body, HeaderBlock.First(headers, "Content-Transfer-Encoding"), context);
        var mediaType = contentType.Value;

        var isBodyText = mediaType is "text/plain" or "text/html" && fileName is null && disposition?.Value != "attachment";
        if (isBodyText)
        {
            var text = Charsets.Decode(content, contentType.Parameter("charset"), context);
            (mediaType == "text/html" ? htmlTexts : plainTexts).Add(text);
            return;
        }

        attachments.Add(new EmailAttachment(fileName, mediaType, content.Length, Convert.ToHexStringLower(SHA256.HashData(content))));
        if (mediaType is "message/rfc822" or "message/global")
        {
            ReadEmbeddedMessage(content, depth);
        }
        else if (IsTnef(mediaType, content))
        {
            ReadTnef(content, fileName ?? "winmail.dat", depth);
        }
    }

    private void ReadEmbeddedMessage(byte[] content, int depth)
    {
        if (depth >= context.MaxDepth)
        {
            context.Warn($"An attached message is nested more than {context.MaxDepth} levels deep; it was listed but not read.");
            return;
        }

        embeddedMessages.Add(EmailReader.ReadMessage(content, context.ForEmbeddedMessage(), depth + 1));
    }

    private MimeFieldValue ContentType(IReadOnlyList<RawHeader> headers, string defaultType)
    {
        if (HeaderBlock.First(headers, "Content-Type") is not { } raw)
        {
            return defaultType == PlainText.Value ? PlainText : new MimeFieldValue(defaultType, PlainText.Parameters);
        }

        var parsed = MimeParameters.Parse(raw, context);
        var slash = parsed.Value.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && slash < parsed.Value.Length - 1)
        {
            return parsed;
        }

        // RFC 2045 5.2: an unreadable Content-Type means text/plain; the charset may still be right.
        context.Warn("A Content-Type could not be read; the part was treated as text/plain.");
        return parsed with { Value = PlainText.Value };
    }

    /// <summary>Content-Disposition filename wins over the older Content-Type name; both may hold encoded words.</summary>
    private static string? FileName(MimeFieldValue? disposition, MimeFieldValue contentType)
    {
        var raw = disposition?.Parameter("filename") ?? contentType.Parameter("name");
        if (raw is null)
        {
            return null;
        }

        var name = new string(EncodedWords.Decode(raw, null).Where(c => !char.IsControl(c)).ToArray()).Trim();
        return name.Length == 0 ? null : name;
    }
}
