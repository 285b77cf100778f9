using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.Tnef;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Outlook's TNEF attachments (winmail.dat, application/ms-tnef), opened with MimeKit's TNEF
/// reader, the one thing the portal's own reader leaves to MimeKit (decision 0008). What is inside
/// is treated like the message's other parts: its body text joins the message's text, its files
/// are listed (size and SHA-256, marked as unpacked from the container) and an attached message
/// is read as an embedded message. The container itself stays listed as it arrived.
/// </summary>
internal sealed partial class MimeWalker
{
    private static ReadOnlySpan<byte> TnefSignature => [0x78, 0x9F, 0x3E, 0x22];

    /// <summary>By type, or by the TNEF signature when a mail client labelled winmail.dat as something else.</summary>
    private static bool IsTnef(string mediaType, ReadOnlySpan<byte> content) =>
        mediaType is "application/ms-tnef" or "application/vnd.ms-tnef" || content.StartsWith(TnefSignature);

    private void ReadTnef(byte[] content, string container, int depth)
    {
        if (TnefMessages.Convert(content, container, depth, context) is not { } converted)
        {
            return;
        }

        var texts = 0;
        TextPart? rtf = null;
        foreach (var entity in converted.BodyParts)
        {
            if (!context.TryTakePart())
            {
                break;
            }

            switch (entity)
            {
                case TnefPart attachedMessage:
                    // A message attached in Outlook is TNEF again, not message/rfc822.
                    var raw = TnefMessages.Decode(attachedMessage);
                    attachments.Add(Describe(attachedMessage.FileName ?? attachedMessage.ContentType.Name, attachedMessage.ContentType.MimeType, raw, container));
                    ReadTnefMessage(raw, attachedMessage.ContentType.Name ?? container, depth + 1);
                    break;
                case TextPart text when !text.IsAttachment && (text.IsPlain || text.IsHtml):
                    AddTnefText(text.IsHtml ? htmlTexts : plainTexts, text.Text);
                    texts++;
                    break;
                case TextPart text when !text.IsAttachment && text.ContentType.IsMimeType("text", "rtf"):
                    rtf = text;
                    attachments.Add(Describe(text.FileName ?? "body.rtf", "text/rtf", TnefMessages.Decode(text), container));
                    break;
                case MessagePart { Message: { } message } part:
                    using (var bytes = new MemoryStream())
                    {
                        message.WriteTo(bytes);
                        attachments.Add(Describe(part.ContentDisposition?.FileName, "message/rfc822", bytes.ToArray(), container));
                        ReadEmbeddedMessage(bytes.ToArray(), depth + 1);
                    }

                    break;
                case MimePart part:
                    attachments.Add(Describe(part.FileName, part.ContentType.MimeType, TnefMessages.Decode(part), container));
                    break;
            }
        }

        if (rtf is not null && texts == 0)
        {
            context.Warn($"The text in {container} is RTF only and was not read; it is listed as {rtf.FileName ?? "body.rtf"}.");
        }
    }

    /// <summary>An Outlook message attached inside TNEF: converted to MIME by MimeKit and read like any attached message.</summary>
    private void ReadTnefMessage(byte[] content, string name, int depth)
    {
        if (TnefMessages.Convert(content, name, depth, context) is not { } converted)
        {
            return;
        }

        using var bytes = new MemoryStream();
        converted.WriteTo(bytes);
        var inner = context.ForEmbeddedMessage();
        inner.Warn("This message was attached in Outlook's TNEF format and converted: its Received and other Internet headers were not kept.");
        embeddedMessages.Add(EmailReader.ReadMessage(bytes.ToArray(), inner, depth));
    }

    /// <summary>Outlook often puts the same text both in the message and in winmail.dat; it is kept once.</summary>
    private static void AddTnefText(List<string> texts, string text)
    {
        if (!texts.Any(t => Tidy(t) == Tidy(text)))
        {
            texts.Add(text);
        }
    }

    private static EmailAttachment Describe(string? fileName, string mediaType, byte[] content, string container) =>
        new(CleanName(fileName), mediaType, content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), container);

    private static string? CleanName(string? name)
    {
        var cleaned = name is null ? "" : new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    /// <summary>The calls into MimeKit, kept apart so that a failure inside it becomes a warning and never escapes the reader.</summary>
    private static class TnefMessages
    {
        static TnefMessages()
        {
            // MimeKit reads TNEF strings in the sender's ANSI code page (Windows-1252 and the rest).
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        }

        public static MimeMessage? Convert(byte[] content, string container, int depth, EmailReadContext context)
        {
            if (depth >= context.MaxDepth)
            {
                context.Warn($"{container} is nested more than {context.MaxDepth} levels deep; it was listed but not opened.");
                return null;
            }

            if (content.Length > context.Limits.MaxTnefBytes)
            {
                context.Warn($"{container} is larger than {context.Limits.MaxTnefBytes} bytes; it was listed but not opened.");
                return null;
            }

            try
            {
                var part = new TnefPart { Content = new MimeContent(new MemoryStream(content, writable: false)) };
                return part.ConvertToMessage();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Hostile or broken input; whatever MimeKit throws on it, the rest of the message is still read.
                context.Warn($"{container} could not be read as TNEF ({exception.GetType().Name}); it was listed but not opened.");
                return null;
            }
        }

        public static byte[] Decode(MimePart part)
        {
            using var decoded = new MemoryStream();
            part.Content?.DecodeTo(decoded);
            return decoded.ToArray();
        }
    }
}
