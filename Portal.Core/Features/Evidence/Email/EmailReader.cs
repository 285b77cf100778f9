namespace Portal.Core.Features.Evidence.Email;

/// <summary>Bounds on the work one uploaded message can cause. Each limit hit adds a warning.</summary>
public sealed record EmailReaderLimits
{
    /// <summary>The most <see cref="MaxDepth"/> can be: nesting is read recursively.</summary>
    public const int DeepestNesting = 64;

    /// <summary>Input beyond this is not read.</summary>
    public long MaxBytes { get; init; } = 25 * 1024 * 1024;

    /// <summary>Multipart nesting, counting attached messages as a level. Capped at <see cref="DeepestNesting"/>.</summary>
    public int MaxDepth { get; init; } = 8;

    /// <summary>MIME parts across the message and its attached messages.</summary>
    public int MaxParts { get; init; } = 200;

    /// <summary>Fields per header block; later ones are ignored.</summary>
    public int MaxHeaders { get; init; } = 500;

    /// <summary>One unfolded header field; the rest of a longer one is cut off.</summary>
    public int MaxHeaderFieldBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// A TNEF (winmail.dat) attachment larger than this is listed but not opened: MimeKit's TNEF
    /// reader holds its whole contents in memory, and compressed RTF grows when unpacked.
    /// </summary>
    public int MaxTnefBytes { get; init; } = 16 * 1024 * 1024;
}

/// <summary>
/// Reads a raw RFC 5322 / MIME message (.eml) as uploaded by a victim: who sent it, by which
/// route, what it says and what it carries. Malformed input never throws; see
/// <see cref="ParsedEmail.Warnings"/>.
/// </summary>
public static class EmailReader
{
    public static ParsedEmail Read(Stream input, EmailReaderLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        limits ??= new EmailReaderLimits();
        var cap = ByteCap(limits);

        // One byte past the cap is read, to know whether anything was left out.
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (buffer.Length <= cap)
        {
            var read = input.Read(chunk.AsSpan(0, (int)Math.Min(chunk.Length, cap + 1 - buffer.Length)));
            if (read == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, read);
        }

        var length = (int)Math.Min(buffer.Length, cap);
        return ReadBounded(buffer.GetBuffer().AsSpan(0, length), buffer.Length > cap, limits);
    }

    public static ParsedEmail Read(byte[] input, EmailReaderLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        limits ??= new EmailReaderLimits();
        var cap = ByteCap(limits);
        return ReadBounded(input.AsSpan(0, (int)Math.Min(input.Length, cap)), input.Length > cap, limits);
    }

    internal static ParsedEmail ReadMessage(ReadOnlySpan<byte> data, EmailReadContext context, int depth)
    {
        data = SkipEnvelope(data);
        if (data.IsEmpty)
        {
            context.Warn("The message is empty.");
            return new ParsedEmail { Headers = [], Warnings = [.. context.Warnings] };
        }

        var headers = HeaderBlock.Read(data, context, out var bodyStart);
        if (headers.Count == 0)
        {
            context.Warn("No header fields were found; this may not be an email message.");
        }

        var walker = new MimeWalker(context);
        walker.WalkMessage(data[bodyStart..], headers, depth);

        var from = Addresses(headers, "From", context);
        if (from.Count > 1)
        {
            context.Warn($"The From header lists {from.Count} mailboxes; the first was used.");
        }

        var rawDate = Single(headers, "Date", context);
        var date = rawDate is null ? null : DateParser.Parse(rawDate);
        if (date is null && rawDate is not null)
        {
            context.Warn("The Date header could not be read.");
        }

        var received = HeaderBlock.All(headers, "Received").Reverse()
            .Select((raw, index) => ReceivedParser.Parse(index, raw, context))
            .ToList();

        return new ParsedEmail
        {
            Headers = headers.Select(h => new EmailHeader(h.Name, EncodedWords.Decode(h.Value, context))).ToList(),
            From = from.FirstOrDefault(),
            ReplyTo = Addresses(headers, "Reply-To", context),
            ReturnPath = Single(headers, "Return-Path", context) is { } returnPath ? WithoutAngles(returnPath) : null,
            To = Addresses(headers, "To", context),
            Cc = Addresses(headers, "Cc", context),
            Subject = Single(headers, "Subject", context) is { } subject ? EncodedWords.Decode(subject, context) : null,
            Date = date,
            MessageId = Single(headers, "Message-ID", context) is { } messageId && WithoutAngles(messageId) is { Length: > 0 } id ? id : null,
            Received = received,
            AuthenticationResults = HeaderBlock.All(headers, "Authentication-Results").ToList(),
            DkimDomains = HeaderBlock.All(headers, "DKIM-Signature").Select(DkimDomain).OfType<string>().Distinct().ToList(),
            OriginatingIp = Single(headers, "X-Originating-IP", context) is { } ip && ip.Trim().Trim('[', ']').Trim() is { Length: > 0 } bare ? bare : null,
            TextBody = walker.TextBody(),
            Attachments = walker.Attachments,
            EmbeddedMessages = walker.EmbeddedMessages,
            Warnings = [.. context.Warnings],
        };
    }

    private static long ByteCap(EmailReaderLimits limits) => Math.Clamp(limits.MaxBytes, 0, Array.MaxLength - 1);

    private static ParsedEmail ReadBounded(ReadOnlySpan<byte> data, bool truncated, EmailReaderLimits limits)
    {
        var context = new EmailReadContext(limits);
        if (truncated)
        {
            context.Warn($"The input is larger than {data.Length} bytes; only the first {data.Length} bytes were read.");
        }

        return ReadMessage(data, context, depth: 0);
    }

    /// <summary>
    /// A UTF-8 byte order mark, blank lines before the headers and an mbox "From " separator line
    /// are not part of the message (a blank first line would otherwise end the header block
    /// before it starts). The same start the upload uses to recognise an email.
    /// </summary>
    private static ReadOnlySpan<byte> SkipEnvelope(ReadOnlySpan<byte> data)
    {
        data = FileTypes.EmailStart(data);
        if (data.StartsWith("From "u8))
        {
            var newline = data.IndexOf((byte)'\n');
            data = newline < 0 ? [] : data[(newline + 1)..];
        }

        return data;
    }

    /// <summary>The first of a field RFC 5322 allows once; a repeat is a sign of forgery, so it is reported.</summary>
    private static string? Single(List<RawHeader> headers, string name, EmailReadContext context)
    {
        var values = HeaderBlock.All(headers, name).Take(2).ToList();
        if (values.Count > 1)
        {
            context.Warn($"The message has more than one {name} header; the first was used.");
        }

        return values.FirstOrDefault();
    }

    private static List<EmailAddress> Addresses(List<RawHeader> headers, string name, EmailReadContext context) =>
        Single(headers, name, context) is { } value ? AddressParser.ParseList(value, name, context) : [];

    private static string WithoutAngles(string value)
    {
        var text = value.Trim();
        var open = text.IndexOf('<', StringComparison.Ordinal);
        var close = open < 0 ? -1 : text.IndexOf('>', open + 1);
        return (close > open ? text[(open + 1)..close] : text).Trim();
    }

    /// <summary>The d= tag of a DKIM-Signature; folding whitespace may sit inside the value.</summary>
    private static string? DkimDomain(string signature)
    {
        foreach (var tag in signature.Split(';'))
        {
            var equals = tag.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && tag[..equals].Trim() == "d")
            {
                var domain = new string(tag[(equals + 1)..].Where(c => !char.IsWhiteSpace(c)).ToArray()).ToLowerInvariant();
                return domain.Length > 0 ? domain : null;
            }
        }

        return null;
    }
}
