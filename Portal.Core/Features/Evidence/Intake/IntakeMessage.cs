using System.Text;
using Portal.Core.Features.Evidence.Email;

namespace Portal.Core.Features.Evidence.Intake;

/// <summary>What the header block of a message in the intake mailbox says about where it goes and whether it is automatic.</summary>
public sealed record IntakeHeaders(IReadOnlyList<string> Recipients, string? AutoSubmitted, string? MessageId, string? Subject)
{
    /// <summary>RFC 3834: any Auto-Submitted value but "no" marks mail no person wrote (replies, notifications, bounces).</summary>
    public bool IsAutomatic => AutoSubmitted is { Length: > 0 } value && !value.Equals("no", StringComparison.OrdinalIgnoreCase);

    /// <summary>The domain of the Message-ID, lower-cased, or null.</summary>
    public string? MessageIdDomain => MessageId is { } id && id.LastIndexOf('@') is > 0 and var at ? id[(at + 1)..].ToLowerInvariant() : null;
}

/// <summary>An email taken out of an intake message: the original as attached, or the intake message itself when nothing was attached.</summary>
public sealed record ForwardedOriginal(byte[] Content, bool Inline, string? MessageId, string? Subject);

/// <summary>
/// Reads messages from the intake mailbox with the portal's own reader (decision 0008: MimeKit
/// slows quadratically on folded headers, and anyone may write to the intake domain). Only the
/// top-level structure is read here: the header fields that address the message, and the
/// message/rfc822 parts that carry what the victim forwarded "as attachment". The evidence itself
/// is read later by the analysis, exactly as an upload is. Linear and bounded like the reader;
/// never throws on malformed input.
/// </summary>
public static class IntakeMessage
{
    /// <summary>Multipart levels looked into for attached messages: a forward is mixed, perhaps with an alternative inside.</summary>
    public const int MaxDepth = 4;

    /// <summary>Attached messages taken from one intake message; more are left out.</summary>
    public const int MaxOriginals = 20;

    /// <summary>Where the envelope recipient shows (servers add one of these) and where the victim's client wrote it.</summary>
    private static readonly string[] RecipientFields = ["Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "X-Delivered-To", "To", "Cc", "Resent-To"];

    private static readonly EmailReaderLimits Limits = new();

    public static IntakeHeaders ReadHeaders(ReadOnlySpan<byte> message)
    {
        var context = new EmailReadContext(Limits);
        var headers = HeaderBlock.Read(message, context, out _);
        var recipients = new List<string>();
        foreach (var field in RecipientFields)
        {
            foreach (var value in HeaderBlock.All(headers, field))
            {
                recipients.AddRange(AddressParser.ParseList(value, field, context).Select(a => a.Address));
            }
        }

        var autoSubmitted = HeaderBlock.First(headers, "Auto-Submitted")?.Split(';')[0].Trim();
        return new IntakeHeaders(recipients, autoSubmitted, MessageIdOf(headers), SubjectOf(headers));
    }

    /// <summary>The header block of a whole message as it arrived (kept, sealed, with what it carried).</summary>
    public static ReadOnlyMemory<byte> HeaderBlockOf(ReadOnlyMemory<byte> message)
    {
        HeaderBlock.Read(message.Span, new EmailReadContext(Limits), out var bodyStart);
        return message[..bodyStart];
    }

    /// <summary>
    /// The emails the message carries as message/rfc822 (or message/global) attachments, decoded
    /// from their transfer encoding, in order; when there are none, the message itself, marked
    /// inline: a forward that was typed into the body has lost the original's headers.
    /// </summary>
    public static IReadOnlyList<ForwardedOriginal> Originals(byte[] message)
    {
        var context = new EmailReadContext(Limits);
        var headers = HeaderBlock.Read(message, context, out var bodyStart);
        var attached = new List<byte[]>();
        Walk(message.AsSpan(bodyStart), headers, 0, "text/plain", attached, context);
        if (attached.Count == 0)
        {
            return [new ForwardedOriginal(message, Inline: true, MessageIdOf(headers), SubjectOf(headers))];
        }

        return attached.Select(content =>
        {
            var own = HeaderBlock.Read(content, new EmailReadContext(Limits), out _);
            return new ForwardedOriginal(content, Inline: false, MessageIdOf(own), SubjectOf(own));
        }).ToList();
    }

    private static void Walk(ReadOnlySpan<byte> body, IReadOnlyList<RawHeader> headers, int depth, string defaultType, List<byte[]> attached, EmailReadContext context)
    {
        if (attached.Count >= MaxOriginals || !context.TryTakePart())
        {
            return;
        }

        var contentType = HeaderBlock.First(headers, "Content-Type") is { } raw ? MimeParameters.Parse(raw, context) : null;
        var mediaType = contentType?.Value ?? defaultType;
        if (mediaType is "message/rfc822" or "message/global")
        {
            var content = TransferEncoding.Decode(body, HeaderBlock.First(headers, "Content-Transfer-Encoding"), context);
            if (content.Length > 0)
            {
                attached.Add(content);
            }

            return;
        }

        if (!mediaType.StartsWith("multipart/", StringComparison.Ordinal) || depth >= MaxDepth || contentType?.Parameter("boundary") is not { Length: > 0 } boundary)
        {
            return;
        }

        // A digest's parts are messages unless they say otherwise (RFC 2046 5.1.5).
        var childDefault = mediaType == "multipart/digest" ? "message/rfc822" : "text/plain";
        foreach (var (start, length) in MultipartBody.Split(body, Encoding.UTF8.GetBytes("--" + boundary), out _))
        {
            var part = body.Slice(start, length);
            var partHeaders = HeaderBlock.Read(part, context, out var partBody);
            Walk(part[partBody..], partHeaders, depth + 1, childDefault, attached, context);
        }
    }

    private static string? MessageIdOf(IReadOnlyList<RawHeader> headers)
    {
        var value = HeaderBlock.First(headers, "Message-ID")?.Trim();
        if (value is null)
        {
            return null;
        }

        var open = value.IndexOf('<', StringComparison.Ordinal);
        var close = open < 0 ? -1 : value.IndexOf('>', open + 1);
        var id = (close > open ? value[(open + 1)..close] : value).Trim();
        return id.Length is > 0 and <= 998 ? id : null;
    }

    private static string? SubjectOf(IReadOnlyList<RawHeader> headers) =>
        HeaderBlock.First(headers, "Subject") is { } subject ? EncodedWords.Decode(subject, null) : null;
}
