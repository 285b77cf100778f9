using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Portal.Core.Features.Bundles;

/// <summary>
/// Writes a ZIP archive of stored (uncompressed) entries front to back onto a stream that cannot
/// seek, such as an HTTP response, holding only the central directory (a few dozen bytes per
/// entry) in memory. Entries whose content is streamed carry their CRC-32 and sizes in a data
/// descriptor after the data; entries given as bytes carry them in the local header. ZIP64
/// records are written for any entry, offset or count past the classic limits, and only then.
/// See docs/decisions/0014 for why this is not System.IO.Compression.ZipArchive.
/// </summary>
public sealed class StreamingZipWriter(Stream output, DateTime modifiedUtc)
{
    private const uint LocalHeaderSignature = 0x04034b50;
    private const uint DataDescriptorSignature = 0x08074b50;
    private const uint CentralHeaderSignature = 0x02014b50;
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const ushort Zip64ExtraId = 0x0001;
    private const ushort FlagDataDescriptor = 0x0008;
    private const ushort FlagUtf8Names = 0x0800;
    private const ushort VersionClassic = 20;
    private const ushort VersionZip64 = 45;

    // Made by Unix (3), so the external attributes below are read as a file mode.
    private const ushort VersionMadeBy = (3 << 8) | VersionZip64;

    // Regular file, rw-r--r--.
    private const uint ExternalAttributes = 0x81A4u << 16;

    private readonly List<CentralEntry> entries = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly (ushort Time, ushort Date) dosTime = DosTime(modifiedUtc);
    private bool finished;

    /// <summary>Bytes written so far: the offset of the next record.</summary>
    public long Position { get; private set; }

    /// <summary>An entry whose content is at hand (under 2 GiB): CRC and sizes go into its local header.</summary>
    public async Task AddAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var nameBytes = Claim(name);
        var crc = Crc32.HashToUInt32(content.Span);
        var offset = Position;
        await WriteAsync(LocalHeader(nameBytes, 0, crc, content.Length, zip64: false), cancellationToken);
        await WriteAsync(content, cancellationToken);
        entries.Add(new CentralEntry(nameBytes, 0, crc, content.Length, offset));
    }

    /// <summary>
    /// An entry whose content <paramref name="writeContent"/> streams into the stream it is given.
    /// If the callback throws, the entry is left unfinished and the archive must be abandoned:
    /// no data descriptor and no central directory follow, so no reader will take it for whole.
    /// <paramref name="expectedSize"/> decides whether the entry needs ZIP64 sizes.
    /// </summary>
    public async Task AddStreamedAsync(string name, long expectedSize, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        var nameBytes = Claim(name);
        var offset = Position;
        var zip64 = expectedSize >= uint.MaxValue;
        await WriteAsync(LocalHeader(nameBytes, FlagDataDescriptor, 0, 0, zip64), cancellationToken);

        var content = new EntryStream(this);
        await writeContent(content, cancellationToken);
        var crc = content.Crc;
        if (!zip64 && content.Length >= uint.MaxValue)
        {
            throw new InvalidOperationException($"Entry {name} grew to {content.Length} bytes, past the {expectedSize} announced.");
        }

        var descriptor = new byte[zip64 ? 24 : 16];
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor, DataDescriptorSignature);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(4), crc);
        if (zip64)
        {
            BinaryPrimitives.WriteInt64LittleEndian(descriptor.AsSpan(8), content.Length);
            BinaryPrimitives.WriteInt64LittleEndian(descriptor.AsSpan(16), content.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(8), (uint)content.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(12), (uint)content.Length);
        }

        await WriteAsync(descriptor, cancellationToken);
        entries.Add(new CentralEntry(nameBytes, FlagDataDescriptor, crc, content.Length, offset));
    }

    /// <summary>Writes the central directory and end records; the archive is complete after this.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (finished)
        {
            throw new InvalidOperationException("The archive is already finished.");
        }

        finished = true;
        var directoryStart = Position;
        foreach (var entry in entries)
        {
            await WriteAsync(CentralHeader(entry), cancellationToken);
        }

        var directorySize = Position - directoryStart;
        var needsZip64 = entries.Count >= ushort.MaxValue || directoryStart >= uint.MaxValue || directorySize >= uint.MaxValue;
        if (needsZip64)
        {
            var zip64End = Position;
            var record = new byte[56 + 20];
            var span = record.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(span, Zip64EndSignature);
            BinaryPrimitives.WriteInt64LittleEndian(span[4..], 44);
            BinaryPrimitives.WriteUInt16LittleEndian(span[12..], VersionMadeBy);
            BinaryPrimitives.WriteUInt16LittleEndian(span[14..], VersionZip64);
            BinaryPrimitives.WriteInt64LittleEndian(span[24..], entries.Count);
            BinaryPrimitives.WriteInt64LittleEndian(span[32..], entries.Count);
            BinaryPrimitives.WriteInt64LittleEndian(span[40..], directorySize);
            BinaryPrimitives.WriteInt64LittleEndian(span[48..], directoryStart);
            var locator = span[56..];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, Zip64LocatorSignature);
            BinaryPrimitives.WriteInt64LittleEndian(locator[8..], zip64End);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
            await WriteAsync(record, cancellationToken);
        }

        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, EndSignature);
        var count = (ushort)Math.Min(entries.Count, ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), (uint)Math.Min(directorySize, uint.MaxValue));
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), (uint)Math.Min(directoryStart, uint.MaxValue));
        await WriteAsync(end, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private byte[] Claim(string name)
    {
        if (finished)
        {
            throw new InvalidOperationException("The archive is already finished.");
        }

        if (name.Length == 0 || name.StartsWith('/') || name.Contains('\\', StringComparison.Ordinal) || name.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ArgumentException($"'{name}' is not a safe relative entry name.", nameof(name));
        }

        if (!names.Add(name))
        {
            throw new ArgumentException($"The archive already has an entry named '{name}'.", nameof(name));
        }

        var bytes = Encoding.UTF8.GetBytes(name);
        return bytes.Length <= ushort.MaxValue ? bytes : throw new ArgumentException("The entry name is too long.", nameof(name));
    }

    private byte[] LocalHeader(byte[] name, ushort flags, uint crc, long size, bool zip64)
    {
        var header = new byte[30 + name.Length + (zip64 ? 20 : 0)];
        var span = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, LocalHeaderSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], zip64 ? VersionZip64 : VersionClassic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)(flags | FlagUtf8Names));
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], dosTime.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], dosTime.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(span[14..], crc);
        var small = zip64 ? uint.MaxValue : (uint)size;
        BinaryPrimitives.WriteUInt32LittleEndian(span[18..], small);
        BinaryPrimitives.WriteUInt32LittleEndian(span[22..], small);
        BinaryPrimitives.WriteUInt16LittleEndian(span[26..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[28..], (ushort)(zip64 ? 20 : 0));
        name.CopyTo(span[30..]);
        if (zip64)
        {
            // Sizes are zero here when a data descriptor follows; the descriptor then has 8-byte sizes.
            var extra = span[(30 + name.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            BinaryPrimitives.WriteInt64LittleEndian(extra[4..], size);
            BinaryPrimitives.WriteInt64LittleEndian(extra[12..], size);
        }

        return header;
    }

    private byte[] CentralHeader(CentralEntry entry)
    {
        var bigSize = entry.Size >= uint.MaxValue;
        var bigOffset = entry.Offset >= uint.MaxValue;
        var extraLength = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
        var extraTotal = extraLength > 0 ? 4 + extraLength : 0;
        var header = new byte[46 + entry.Name.Length + extraTotal];
        var span = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, CentralHeaderSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], VersionMadeBy);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], extraTotal > 0 ? VersionZip64 : VersionClassic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], (ushort)(entry.Flags | FlagUtf8Names));
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], dosTime.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], dosTime.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], entry.Crc);
        var size = bigSize ? uint.MaxValue : (uint)entry.Size;
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], size);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], size);
        BinaryPrimitives.WriteUInt16LittleEndian(span[28..], (ushort)entry.Name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[30..], (ushort)extraTotal);
        BinaryPrimitives.WriteUInt32LittleEndian(span[38..], ExternalAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(span[42..], bigOffset ? uint.MaxValue : (uint)entry.Offset);
        entry.Name.CopyTo(span[46..]);
        if (extraTotal > 0)
        {
            // Only the fields that overflowed, in the order the format fixes: sizes, then offset.
            var extra = span[(46 + entry.Name.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)extraLength);
            var field = extra[4..];
            if (bigSize)
            {
                BinaryPrimitives.WriteInt64LittleEndian(field, entry.Size);
                BinaryPrimitives.WriteInt64LittleEndian(field[8..], entry.Size);
                field = field[16..];
            }

            if (bigOffset)
            {
                BinaryPrimitives.WriteInt64LittleEndian(field, entry.Offset);
            }
        }

        return header;
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await output.WriteAsync(bytes, cancellationToken);
        Position += bytes.Length;
    }

    private static (ushort Time, ushort Date) DosTime(DateTime utc)
    {
        // MS-DOS time has no zone; the bundle's manifest states its times in UTC, so the entries do too.
        var t = utc.Year < 1980 ? new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc) : utc;
        return ((ushort)((t.Hour << 11) | (t.Minute << 5) | (t.Second / 2)), (ushort)(((t.Year - 1980) << 9) | (t.Month << 5) | t.Day));
    }

    private sealed record CentralEntry(byte[] Name, ushort Flags, uint Crc, long Size, long Offset);

    /// <summary>Write-only view of one entry's content: counts it and keeps its CRC-32 on the way through.</summary>
    private sealed class EntryStream(StreamingZipWriter writer) : ObservingWriteStream
    {
        private readonly Crc32 crc = new();

        public uint Crc => crc.GetCurrentHashAsUInt32();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        protected override void Observe(ReadOnlySpan<byte> bytes) => crc.Append(bytes);

        protected override ValueTask PassOnAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
            writer.WriteAsync(bytes, cancellationToken);
    }
}
