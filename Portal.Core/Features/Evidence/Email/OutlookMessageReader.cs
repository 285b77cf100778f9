using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Reads an Outlook .msg ([MS-OXMSG]: MAPI properties as streams in a compound file) by making the
/// internet message it stands for and reading that with <see cref="EmailReader"/>, so that a .msg
/// gives the same headers, route, DKIM domains and text as the same email saved as .eml. The
/// headers are the original ones Outlook kept (PR_TRANSPORT_MESSAGE_HEADERS) when the message came
/// from the internet, else made from the sender, recipients, subject, date and Message-ID Outlook
/// recorded; the text is the plain body, else the HTML body. Attachments inside the .msg are
/// listed (name, type, size, SHA-256) as an .eml's are; an attached Outlook item is not read. Malformed input never throws: it gives a warning and nothing else.
/// </summary>
public static class OutlookMessageReader
{
    /// <summary>Starts the warning for a file that is not a readable Outlook message.</summary>
    public const string Unreadable = "This is not a readable Outlook message";

    /// <summary>One property stream is read at most this far; what is scanned for indicators is capped well below it.</summary>
    internal const int MaxPropertyBytes = 8 * 1024 * 1024;

    /// <summary>Attachments listed at most, as the email reader's part budget does for an .eml.</summary>
    internal const int MaxAttachments = 200;

    /// <summary>Recipients made into To and Cc fields when the original headers are missing.</summary>
    internal const int MaxRecipients = 500;

    /// <summary>Fixed-length properties read per object; Outlook writes a few dozen.</summary>
    private const int MaxFixedProperties = 4096;

    private const string PropertyStream = "__properties_version1.0";
    private const string RecipientPrefix = "__recip_version1.0_#";
    private const string AttachmentPrefix = "__attach_version1.0_#";

    // MAPI property ids ([MS-OXPROPS]).
    private const ushort Subject = 0x0037;
    private const ushort ClientSubmitTime = 0x0039;
    private const ushort SentRepresentingName = 0x0042;
    private const ushort SentRepresentingEmailAddress = 0x0065;
    private const ushort TransportMessageHeaders = 0x007D;
    private const ushort SenderName = 0x0C1A;
    private const ushort SenderEmailAddress = 0x0C1F;
    private const ushort RecipientType = 0x0C15;
    private const ushort MessageDeliveryTime = 0x0E06;
    private const ushort Body = 0x1000;
    private const ushort RtfCompressed = 0x1009;
    private const ushort Html = 0x1013;
    private const ushort InternetMessageId = 0x1035;
    private const ushort DisplayName = 0x3001;
    private const ushort EmailAddressProperty = 0x3003;
    private const ushort SmtpAddress = 0x39FE;
    private const ushort InternetCodepage = 0x3FDE;
    private const ushort MessageCodepage = 0x3FFD;
    private const ushort SenderSmtpAddress = 0x5D01;
    private const ushort SentRepresentingSmtpAddress = 0x5D02;
    private const ushort AttachDataBinary = 0x3701;
    private const ushort AttachFilename = 0x3704;
    private const ushort AttachLongFilename = 0x3707;
    private const ushort AttachMimeTag = 0x370E;

    private const ushort PtLong = 0x0003;
    private const ushort PtSystime = 0x0040;

    /// <summary>The fields of the original headers that describe the original body, which is not what follows them here.</summary>
    private static readonly HashSet<string> BodyFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Content-Disposition", "Content-ID",
    };

    private static readonly SearchValues<char> NotInAddress = SearchValues.Create([' ', '\t', '\r', '\n', '\0', '<', '>', ',', ';', '"', '(', ')', '[', ']', '\\']);

    public static ParsedEmail Read(byte[] input, EmailReaderLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var converted = ToInternetMessage(input);
        if (converted.Message is null)
        {
            return new ParsedEmail { Headers = [], Warnings = converted.Warnings };
        }

        var email = EmailReader.Read(converted.Message, limits);
        return email with { Attachments = converted.Attachments, Warnings = [.. converted.Warnings, .. email.Warnings] };
    }

    /// <summary>The internet message an Outlook file stands for, with what the conversion noticed; no message when it could not be read.</summary>
    internal static (byte[]? Message, IReadOnlyList<EmailAttachment> Attachments, IReadOnlyList<string> Warnings) ToInternetMessage(byte[] input)
    {
        try
        {
            var file = CompoundFile.Open(input);
            var message = new MessageProperties(file, file.Root, headerLength: 32);
            if (!message.HasAny)
            {
                return (null, [], [$"{Unreadable}: it holds no message properties (it may be another Office file named .msg)."]);
            }

            var warnings = new List<string>();
            var headers = message.String(TransportMessageHeaders) is { } transport && OriginalHeaders(transport) is { Length: > 0 } original ? original : null;
            if (headers is null)
            {
                warnings.Add("The Outlook message has no internet headers (it was written in Outlook or saved without them): sender, recipients and date are as Outlook recorded them, and there is no route.");
                headers = MadeHeaders(file, message);
            }

            var (contentType, body) = BodyOf(message, warnings);
            var attachments = Attachments(file, warnings);
            var text = new StringBuilder(headers)
                .Append("MIME-Version: 1.0\r\n")
                .Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}; charset=utf-8\r\n")
                .Append("Content-Transfer-Encoding: 8bit\r\n\r\n")
                .Append(body);
            return (Encoding.UTF8.GetBytes(text.ToString()), attachments, warnings);
        }
        catch (CompoundFileException e)
        {
            return (null, [], [$"{Unreadable}: {e.Message}."]);
        }
    }

    /// <summary>
    /// The files attached in Outlook, described as an .eml's are (name, type, size, SHA-256), never
    /// opened. An attached Outlook item (a message, a contact) is a storage, not bytes: a warning
    /// counts it, and it is not read. A name is cut at 255 characters, as file systems do.
    /// </summary>
    private static List<EmailAttachment> Attachments(CompoundFile file, List<string> warnings)
    {
        var storages = file.Children(file.Root)
            .Where(c => c.IsStorage && c.Name.StartsWith(AttachmentPrefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (storages.Count > MaxAttachments)
        {
            warnings.Add($"The Outlook message holds more than {MaxAttachments} attachments; the rest were not listed.");
        }

        var found = new List<EmailAttachment>();
        var items = 0;
        foreach (var storage in storages.Take(MaxAttachments))
        {
            var attachment = new MessageProperties(file, storage, headerLength: 8);
            var name = (attachment.String(AttachLongFilename) ?? attachment.String(AttachFilename) ?? attachment.String(DisplayName)) is { } given
                ? OneLine(given.Length > 255 ? given[..255] : given)
                : null;
            var mediaType = attachment.String(AttachMimeTag) is { Length: > 0 and <= 200 } tag ? OneLine(tag).Trim().ToLowerInvariant() : "application/octet-stream";
            if (attachment.BinarySize(AttachDataBinary) is not { } size)
            {
                items++;
                continue;
            }

            if (size > MaxPropertyBytes)
            {
                warnings.Add($"An attachment of the Outlook message is larger than {MaxPropertyBytes / (1024 * 1024)} MB and was not listed.");
                continue;
            }

            var data = attachment.Binary(AttachDataBinary) ?? [];
            found.Add(new EmailAttachment(name, mediaType, data.LongLength, Convert.ToHexStringLower(SHA256.HashData(data))));
        }

        if (items > 0)
        {
            warnings.Add($"The Outlook message has {items} attached item(s) without file data (an attached message or contact, or a linked file); they were not read.");
        }

        return found;
    }

    /// <summary>The header block as received, less the fields that describe the original body, each line ending in CRLF.</summary>
    private static string OriginalHeaders(string transport)
    {
        var kept = new StringBuilder();
        var skipping = false;
        foreach (var line in transport.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                // Outlook ends the block with a blank line; anything after it is not a header.
                break;
            }

            if (line[0] is not (' ' or '\t'))
            {
                // Exchange starts the block with "Microsoft Mail Internet Headers Version 2.0", not a field.
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                skipping = colon <= 0 || BodyFields.Contains(line[..colon].Trim());
            }

            if (!skipping)
            {
                kept.Append(line.TrimEnd('\r')).Append("\r\n");
            }
        }

        return kept.ToString();
    }

    /// <summary>Header fields made from what Outlook recorded, for a message that carries no original headers.</summary>
    private static string MadeHeaders(CompoundFile file, MessageProperties message)
    {
        var headers = new StringBuilder();
        var senderAddress = Address(message.String(SenderSmtpAddress), message.String(SenderEmailAddress))
            ?? Address(message.String(SentRepresentingSmtpAddress), message.String(SentRepresentingEmailAddress));
        if (senderAddress is not null)
        {
            Field(headers, "From", Mailbox(message.String(SenderName) ?? message.String(SentRepresentingName), senderAddress));
        }

        var recipients = file.Children(file.Root)
            .Where(c => c.IsStorage && c.Name.StartsWith(RecipientPrefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .Take(MaxRecipients)
            .Select(c => new MessageProperties(file, c, headerLength: 8))
            .Select(r => (Type: r.Long(RecipientType), Address: Address(r.String(SmtpAddress), r.String(EmailAddressProperty)), Name: r.String(DisplayName)))
            .Where(r => r.Address is not null)
            .ToList();
        foreach (var (name, type) in new[] { ("To", 1), ("Cc", 2) })
        {
            var list = recipients.Where(r => r.Type == type).Select(r => Mailbox(r.Name, r.Address!)).ToList();
            if (list.Count > 0)
            {
                Field(headers, name, string.Join(", ", list));
            }
        }

        if (message.String(Subject) is { } subject)
        {
            Field(headers, "Subject", Encoded(subject));
        }

        if ((message.Time(ClientSubmitTime) ?? message.Time(MessageDeliveryTime)) is { } date)
        {
            Field(headers, "Date", date.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        }

        if (message.String(InternetMessageId) is { Length: > 0 } messageId)
        {
            Field(headers, "Message-ID", OneLine(messageId));
        }

        return headers.ToString();
    }

    private static (string ContentType, string Body) BodyOf(MessageProperties message, List<string> warnings)
    {
        if (message.String(Body) is { } plain && !string.IsNullOrWhiteSpace(plain))
        {
            return ("text/plain", plain);
        }

        var html = message.Binary(Html) is { } bytes
            ? Decode(bytes, message.Long(InternetCodepage))
            : message.String(Html);
        if (!string.IsNullOrWhiteSpace(html))
        {
            return ("text/html", html);
        }

        if (message.Has(RtfCompressed))
        {
            warnings.Add("The text of the Outlook message is RTF only and was not read.");
        }

        return ("text/plain", "");
    }

    /// <summary>
    /// An SMTP address; an Exchange (X.500) address is no use outside the sender's organisation. One
    /// with a character that would end the mailbox in a header field is not used at all.
    /// </summary>
    private static string? Address(string? smtp, string? other) =>
        new[] { smtp, other }.Select(a => a?.Trim()).FirstOrDefault(a => a is { Length: > 0 and <= 320 } && a.Contains('@', StringComparison.Ordinal) && a.AsSpan().IndexOfAny(NotInAddress) < 0);

    private static string Mailbox(string? name, string address) =>
        string.IsNullOrWhiteSpace(name) || name.Trim() == address ? $"<{address}>" : $"{Encoded(name.Trim())} <{address}>";

    /// <summary>A value Outlook recorded, as an RFC 2047 encoded word, so that no character of it can end the field or start another.</summary>
    private static string Encoded(string value) => $"=?utf-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(OneLine(value)))}?=";

    private static string OneLine(string value) => value.ReplaceLineEndings(" ").Replace('\0', ' ');

    private static void Field(StringBuilder headers, string name, string value) => headers.Append(name).Append(": ").Append(value).Append("\r\n");

    private static string Decode(byte[] bytes, int? codepage) => codepage switch
    {
        null => Charsets.DecodeUndeclared(bytes),
        65001 => Encoding.UTF8.GetString(bytes),
        > 0 and < 65536 => (CodePagesEncodingProvider.Instance.GetEncoding(codepage.Value) ?? Encoding.Latin1).GetString(bytes),
        _ => Encoding.Latin1.GetString(bytes),
    };

    /// <summary>
    /// The properties of one object (the message, a recipient): variable-length ones are streams
    /// named __substg1.0_IIIITTTT (id and type in hex), fixed-length ones are 16-byte records in
    /// __properties_version1.0 after a header of 32 bytes (message) or 8 (recipient).
    /// </summary>
    private sealed class MessageProperties
    {
        private readonly CompoundFile file;
        private readonly Dictionary<string, CompoundFileEntry> streams = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<ushort, (ushort Type, ulong Value)> fixedValues = [];

        public MessageProperties(CompoundFile file, CompoundFileEntry storage, int headerLength)
        {
            this.file = file;
            foreach (var child in file.Children(storage).Where(c => !c.IsStorage))
            {
                streams.TryAdd(child.Name, child);
            }

            if (streams.TryGetValue(PropertyStream, out var fixedStream))
            {
                var bytes = file.Read(fixedStream, headerLength + (16 * MaxFixedProperties));
                for (var offset = headerLength; offset + 16 <= bytes.Length; offset += 16)
                {
                    var tag = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
                    fixedValues.TryAdd((ushort)(tag >> 16), ((ushort)tag, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset + 8))));
                }
            }
        }

        public bool HasAny => streams.Keys.Any(k => k.StartsWith("__substg1.0_", StringComparison.OrdinalIgnoreCase)) || fixedValues.Count > 0;

        public bool Has(ushort id) => streams.ContainsKey(Name(id, 0x0102));

        public string? String(ushort id)
        {
            if (streams.TryGetValue(Name(id, 0x001F), out var unicode))
            {
                return Encoding.Unicode.GetString(file.Read(unicode, MaxPropertyBytes)).TrimEnd('\0');
            }

            return streams.TryGetValue(Name(id, 0x001E), out var ansi)
                ? Decode(file.Read(ansi, MaxPropertyBytes), Long(MessageCodepage) ?? 1252).TrimEnd('\0')
                : null;
        }

        public byte[]? Binary(ushort id) => streams.TryGetValue(Name(id, 0x0102), out var binary) ? file.Read(binary, MaxPropertyBytes) : null;

        public long? BinarySize(ushort id) => streams.TryGetValue(Name(id, 0x0102), out var binary) ? binary.Size : null;

        public int? Long(ushort id) => fixedValues.TryGetValue(id, out var value) && value.Type == PtLong ? (int)(uint)value.Value : null;

        public DateTime? Time(ushort id) =>
            fixedValues.TryGetValue(id, out var value) && value.Type == PtSystime && value.Value is > 0 and <= 2650467743999999999
                ? DateTime.FromFileTimeUtc((long)value.Value)
                : null;

        private static string Name(ushort id, ushort type) => $"__substg1.0_{id:X4}{type:X4}";
    }
}
