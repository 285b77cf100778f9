using System.Buffers.Binary;
using System.Text;

namespace Portal.Tests.Support;

/// <summary>
/// Writes Outlook .msg files ([MS-OXMSG]) as Outlook saves them: MAPI properties of the message,
/// its recipients and attachments, variable-length ones as __substg1.0_ streams, fixed-length ones
/// in __properties_version1.0, all in a compound file made by <see cref="CompoundFileWriter"/>.
/// </summary>
public sealed class OutlookMessageBuilder
{
    public const ushort Subject = 0x0037;
    public const ushort ClientSubmitTime = 0x0039;
    public const ushort TransportMessageHeaders = 0x007D;
    public const ushort SenderName = 0x0C1A;
    public const ushort SenderEmailAddress = 0x0C1F;
    public const ushort SenderAddressType = 0x0C1E;
    public const ushort Body = 0x1000;
    public const ushort RtfCompressed = 0x1009;
    public const ushort Html = 0x1013;
    public const ushort InternetMessageId = 0x1035;
    public const ushort InternetCodepage = 0x3FDE;
    public const ushort SenderSmtpAddress = 0x5D01;

    private const ushort PtLong = 0x0003;
    private const ushort PtSystime = 0x0040;
    private const ushort PtString8 = 0x001E;
    private const ushort PtUnicode = 0x001F;
    private const ushort PtBinary = 0x0102;

    private static readonly Encoding Ansi = CodePages();

    private readonly PropertySet message = new();
    private readonly List<PropertySet> recipients = [];
    private readonly List<PropertySet> attachments = [];

    /// <summary>An .msg of an email received from the internet: its header block kept as Outlook keeps it, its text as the plain body.</summary>
    public static OutlookMessageBuilder FromInternetMessage(string eml, string subject, string senderName, string senderAddress)
    {
        var split = eml.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return new OutlookMessageBuilder()
            .Text(TransportMessageHeaders, eml[..(split + 2)] + "\r\n")
            .Text(Subject, subject)
            .Text(SenderName, senderName)
            .Text(SenderAddressType, "SMTP")
            .Text(SenderEmailAddress, senderAddress)
            .Text(Body, eml[(split + 4)..]);
    }

    public OutlookMessageBuilder Text(ushort id, string value)
    {
        message.Variable(id, PtUnicode, Encoding.Unicode.GetBytes(value + "\0"));
        return this;
    }

    /// <summary>An 8-bit string in Windows-1252, as older Outlook versions write them.</summary>
    public OutlookMessageBuilder AnsiText(ushort id, string value)
    {
        message.Variable(id, PtString8, Ansi.GetBytes(value + "\0"));
        return this;
    }

    public OutlookMessageBuilder Binary(ushort id, byte[] value)
    {
        message.Variable(id, PtBinary, value);
        return this;
    }

    public OutlookMessageBuilder Number(ushort id, int value)
    {
        message.Fixed(id, PtLong, (uint)value);
        return this;
    }

    public OutlookMessageBuilder Time(ushort id, DateTime utc)
    {
        message.Fixed(id, PtSystime, (ulong)utc.ToFileTimeUtc());
        return this;
    }

    /// <summary>A recipient storage; <paramref name="type"/> is 1 for To, 2 for Cc, 3 for Bcc.</summary>
    public OutlookMessageBuilder Recipient(int type, string name, string address)
    {
        var recipient = new PropertySet();
        recipient.Fixed(0x0C15, PtLong, (uint)type);
        recipient.Variable(0x3001, PtUnicode, Encoding.Unicode.GetBytes(name + "\0"));
        recipient.Variable(0x3002, PtUnicode, Encoding.Unicode.GetBytes("SMTP\0"));
        recipient.Variable(0x3003, PtUnicode, Encoding.Unicode.GetBytes(address + "\0"));
        recipient.Variable(0x39FE, PtUnicode, Encoding.Unicode.GetBytes(address + "\0"));
        recipients.Add(recipient);
        return this;
    }

    public OutlookMessageBuilder Attachment(string fileName, byte[] data, string? mediaType = null)
    {
        var attachment = new PropertySet();
        attachment.Fixed(0x3705, PtLong, 1);
        attachment.Variable(0x3707, PtUnicode, Encoding.Unicode.GetBytes(fileName + "\0"));
        if (mediaType is not null)
        {
            attachment.Variable(0x370E, PtUnicode, Encoding.Unicode.GetBytes(mediaType + "\0"));
        }

        attachment.Variable(0x3701, PtBinary, data);
        attachments.Add(attachment);
        return this;
    }

    public byte[] ToArray() => ToWriter().ToArray();

    /// <summary>The compound file before it is written, for tests that need to know where its streams lie.</summary>
    public CompoundFileWriter ToWriter()
    {
        var writer = new CompoundFileWriter();
        var nameId = writer.Root.Storage("__nameid_version1.0");
        foreach (var stream in new[] { "__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102" })
        {
            nameId.Stream(stream, []);
        }

        // The message's header: 8 reserved bytes, the next recipient and attachment ids, their counts, 8 reserved.
        var header = new byte[32];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), recipients.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), attachments.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), recipients.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), attachments.Count);
        message.WriteTo(writer.Root, header);
        for (var i = 0; i < recipients.Count; i++)
        {
            recipients[i].WriteTo(writer.Root.Storage($"__recip_version1.0_#{i:X8}"), new byte[8]);
        }

        for (var i = 0; i < attachments.Count; i++)
        {
            attachments[i].WriteTo(writer.Root.Storage($"__attach_version1.0_#{i:X8}"), new byte[8]);
        }

        return writer;
    }

    private static Encoding CodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }

    private sealed class PropertySet
    {
        private readonly List<(uint Tag, ulong Value)> fixedValues = [];
        private readonly List<(uint Tag, byte[] Data)> variableValues = [];

        public void Fixed(ushort id, ushort type, ulong value) => fixedValues.Add(((uint)(id << 16) | type, value));

        public void Variable(ushort id, ushort type, byte[] data) => variableValues.Add(((uint)(id << 16) | type, data));

        /// <summary>Each property's 16-byte record (tag, flags, value or size) after the header, and a stream per variable-length one.</summary>
        public void WriteTo(CompoundFileStorage storage, byte[] header)
        {
            using var records = new MemoryStream();
            records.Write(header);
            var record = new byte[16];
            foreach (var (tag, value) in fixedValues)
            {
                Record(record, tag, value);
                records.Write(record);
            }

            foreach (var (tag, data) in variableValues)
            {
                Record(record, tag, (ulong)data.Length);
                records.Write(record);
                storage.Stream($"__substg1.0_{tag:X8}", data);
            }

            storage.Stream("__properties_version1.0", records.ToArray());
        }

        private static void Record(byte[] record, uint tag, ulong value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record, tag);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), 0x00000006);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(8), value);
        }
    }
}
