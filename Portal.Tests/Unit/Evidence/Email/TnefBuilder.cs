using System.Text;

namespace Portal.Tests.Unit.Evidence.Email;

/// <summary>
/// Writes TNEF streams as Outlook writes winmail.dat ([MS-OXTNEF]: a signature, a key, then
/// attributes with a level, an id, a length, the data and a checksum). MimeKit 4.18.2 has a TNEF
/// reader but no writer, so the tests make their samples with this.
/// </summary>
internal sealed class TnefBuilder
{
    private const byte MessageLevel = 1;
    private const byte AttachmentLevel = 2;

    // Attribute ids: the type in the high word, the tag in the low word.
    private const uint AttTnefVersion = 0x00089006;
    private const uint AttOemCodepage = 0x00069007;
    private const uint AttMessageClass = 0x00078008;
    private const uint AttSubject = 0x00018004;
    private const uint AttBody = 0x0002800C;
    private const uint AttMsgProps = 0x00069003;
    private const uint AttAttachRendData = 0x00069002;
    private const uint AttAttachTitle = 0x00018010;
    private const uint AttAttachData = 0x0006800F;
    private const uint AttAttachment = 0x00069005;

    // MAPI property types and ids.
    private const ushort PtLong = 0x0003;
    private const ushort PtString8 = 0x001E;
    private const ushort PtUnicode = 0x001F;
    private const ushort PtBinary = 0x0102;
    private const ushort PtObject = 0x000D;

    private static readonly Encoding Ansi = CodePages();

    private readonly MemoryStream stream = new();

    public TnefBuilder(string? subject = "Payment", bool messageAttributes = true)
    {
        WriteUInt32(stream, 0x223E9F78);
        WriteUInt16(stream, 0x0001);
        Attribute(MessageLevel, AttTnefVersion, BitConverter.GetBytes(0x00010000u));
        if (messageAttributes)
        {
            Attribute(MessageLevel, AttOemCodepage, [.. BitConverter.GetBytes(1252u), .. BitConverter.GetBytes(0u)]);
            Attribute(MessageLevel, AttMessageClass, Ansi.GetBytes("IPM.Microsoft Mail.Note\0"));
        }

        if (subject is not null)
        {
            Attribute(MessageLevel, AttSubject, Ansi.GetBytes(subject + "\0"));
        }
    }

    /// <summary>The plain text body (attBody), in the ANSI code page.</summary>
    public TnefBuilder Body(string text)
    {
        Attribute(MessageLevel, AttBody, Ansi.GetBytes(text + "\0"));
        return this;
    }

    /// <summary>An HTML body (PR_BODY_HTML, binary) and/or an RTF body (PR_RTF_COMPRESSED, stored uncompressed).</summary>
    public TnefBuilder Bodies(string? html = null, string? rtf = null)
    {
        var properties = new List<(ushort, ushort, byte[])>();
        if (html is not null)
        {
            properties.Add((PtBinary, 0x1013, Encoding.UTF8.GetBytes(html)));
        }

        if (rtf is not null)
        {
            properties.Add((PtBinary, 0x1009, UncompressedRtf(rtf)));
        }

        Attribute(MessageLevel, AttMsgProps, Properties(properties));
        return this;
    }

    /// <summary>Properties of a message as Outlook stores an attached one: sender, subject, body and Internet Message-ID.</summary>
    public TnefBuilder MessageProperties(string subject, string sender, string body, string messageId)
    {
        Attribute(MessageLevel, AttMsgProps, Properties(
        [
            (PtUnicode, 0x0037, Encoding.Unicode.GetBytes(subject + "\0")),
            (PtUnicode, 0x0C1F, Encoding.Unicode.GetBytes(sender + "\0")),
            (PtUnicode, 0x1000, Encoding.Unicode.GetBytes(body + "\0")),
            (PtUnicode, 0x1035, Encoding.Unicode.GetBytes(messageId + "\0")),
        ]));
        return this;
    }

    /// <summary>An attached file: rendering data, title, data and its properties (long file name, by-value method).</summary>
    public TnefBuilder File(string name, byte[] data)
    {
        Attribute(AttachmentLevel, AttAttachRendData, RenderData());
        Attribute(AttachmentLevel, AttAttachTitle, Ansi.GetBytes(ShortName(name) + "\0"));
        Attribute(AttachmentLevel, AttAttachData, data);
        Attribute(AttachmentLevel, AttAttachment, Properties(
        [
            (PtString8, 0x3707, Ansi.GetBytes(name + "\0")),
            (PtLong, 0x3705, BitConverter.GetBytes(1)),
        ]));
        return this;
    }

    /// <summary>An attached Outlook message: PR_ATTACH_DATA_OBJ holding IID_IMessage and the message's own TNEF.</summary>
    public TnefBuilder AttachedMessage(string displayName, byte[] messageTnef)
    {
        var iidMessage = new Guid("00020307-0000-0000-C000-000000000046").ToByteArray();
        Attribute(AttachmentLevel, AttAttachRendData, RenderData());
        Attribute(AttachmentLevel, AttAttachment, Properties(
        [
            (PtLong, 0x3705, BitConverter.GetBytes(5)),
            (PtObject, 0x3701, [.. iidMessage, .. messageTnef]),
            (PtString8, 0x3001, Ansi.GetBytes(displayName + "\0")),
        ]));
        return this;
    }

    public byte[] ToArray() => stream.ToArray();

    /// <summary>An .eml that carries the TNEF as Outlook sends it: a plain text part and winmail.dat in base64.</summary>
    public static string Email(byte[] tnef, string plainText = "", string mediaType = "application/ms-tnef", string fileName = "winmail.dat") => $"""
        From: Victim <victim@example.fi>
        To: helpline@example.org
        Subject: FW: Payment
        Date: Mon, 23 Nov 2026 09:00:00 +0200
        Message-ID: <outlook-1@example.fi>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="tnef-boundary"

        --tnef-boundary
        Content-Type: text/plain; charset=utf-8

        {plainText}
        --tnef-boundary
        Content-Type: {mediaType}; name="{fileName}"
        Content-Disposition: attachment; filename="{fileName}"
        Content-Transfer-Encoding: base64

        {Convert.ToBase64String(tnef, Base64FormattingOptions.InsertLineBreaks)}
        --tnef-boundary--
        """;

    private void Attribute(byte level, uint id, byte[] data)
    {
        stream.WriteByte(level);
        WriteUInt32(stream, id);
        WriteUInt32(stream, (uint)data.Length);
        stream.Write(data);
        WriteUInt16(stream, (ushort)data.Sum(b => b));
    }

    /// <summary>attAttachRendData: a file attachment (type 1), position unknown, no rendering.</summary>
    private static byte[] RenderData() => [.. BitConverter.GetBytes((ushort)1), .. BitConverter.GetBytes(0xFFFFFFFFu), .. new byte[8]];

    /// <summary>A MAPI property list: a count, then each property's type, id and value, padded to four bytes.</summary>
    private static byte[] Properties(IReadOnlyList<(ushort Type, ushort Id, byte[] Value)> properties)
    {
        var list = new MemoryStream();
        WriteUInt32(list, (uint)properties.Count);
        foreach (var (type, id, value) in properties)
        {
            WriteUInt16(list, type);
            WriteUInt16(list, id);
            if (type is PtString8 or PtUnicode or PtBinary or PtObject)
            {
                WriteUInt32(list, 1);
                WriteUInt32(list, (uint)value.Length);
            }

            list.Write(value);
            while (list.Length % 4 != 0)
            {
                list.WriteByte(0);
            }
        }

        return list.ToArray();
    }

    /// <summary>Compressed RTF in its uncompressed form ("MELA"), which readers accept as it is.</summary>
    private static byte[] UncompressedRtf(string rtf)
    {
        var raw = Encoding.ASCII.GetBytes(rtf);
        var result = new MemoryStream();
        WriteUInt32(result, (uint)(raw.Length + 12));
        WriteUInt32(result, (uint)raw.Length);
        WriteUInt32(result, 0x414C454D);
        WriteUInt32(result, 0);
        result.Write(raw);
        return result.ToArray();
    }

    private static string ShortName(string name)
    {
        var extension = Path.GetExtension(name);
        var stem = Path.GetFileNameWithoutExtension(name).ToUpperInvariant();
        return (stem.Length > 8 ? stem[..6] + "~1" : stem) + extension.ToUpperInvariant();
    }

    private static void WriteUInt16(Stream target, ushort value)
    {
        target.WriteByte((byte)value);
        target.WriteByte((byte)(value >> 8));
    }

    private static void WriteUInt32(Stream target, uint value)
    {
        for (var shift = 0; shift < 32; shift += 8)
        {
            target.WriteByte((byte)(value >> shift));
        }
    }

    private static Encoding CodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }
}
