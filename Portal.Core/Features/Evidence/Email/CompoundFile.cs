using System.Buffers.Binary;
using System.Text;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>Why a compound file could not be read. Thrown only inside this reader and turned into a warning by <see cref="OutlookMessageReader"/>.</summary>
internal sealed class CompoundFileException(string message) : Exception(message);

/// <summary>One entry of a compound file's directory: a storage (a folder) or a stream (a file).</summary>
internal sealed record CompoundFileEntry(int Id, string Name, bool IsStorage, uint StartSector, long Size);

/// <summary>
/// A reader of Microsoft's Compound File Binary format ([MS-CFB]), the container of an Outlook
/// .msg: a header, the FAT (found through the DIFAT), the mini FAT and mini stream for streams
/// under 4096 bytes, and a directory of storages and streams kept as red-black trees. It reads,
/// never writes, and trusts nothing: every sector index is checked against the file, every chain
/// is followed at most once around (a loop is an error), and the directory, each stream and the
/// bytes read in total are capped, so a hostile file costs at most a few times its own size.
/// </summary>
internal sealed class CompoundFile
{
    /// <summary>Directory entries read at most; an Outlook message uses a few dozen per attachment or recipient.</summary>
    public const int MaxDirectoryEntries = 32 * 1024;

    private const uint MaxRegularSector = 0xFFFFFFFA;
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint NoStream = 0xFFFFFFFF;
    private const int HeaderFatEntries = 109;
    private const int MiniSectorSize = 64;
    private const int MiniStreamCutoff = 4096;
    private const int DirectoryEntrySize = 128;

    private static ReadOnlySpan<byte> Signature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private readonly byte[] data;
    private readonly int sectorSize;
    private readonly int sectorCount;
    private readonly uint[] fat;
    private readonly uint[] miniFat;
    private readonly byte[] miniStream;
    private readonly List<RawEntry> entries;
    private long readBudget;

    private CompoundFile(byte[] data)
    {
        this.data = data;

        // Streams may share sectors in a hostile file; reading is capped at twice the file's size.
        readBudget = (2L * data.Length) + (64 * 1024);
        if (data.Length < 512)
        {
            throw new CompoundFileException("the file is too short to hold a compound file header");
        }

        var header = data.AsSpan(0, 512);
        if (!header.StartsWith(Signature))
        {
            throw new CompoundFileException("the file does not start with the compound file signature");
        }

        var major = BinaryPrimitives.ReadUInt16LittleEndian(header[0x1A..]);
        var sectorShift = BinaryPrimitives.ReadUInt16LittleEndian(header[0x1E..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(header[0x1C..]) != 0xFFFE
            || !((major == 3 && sectorShift == 9) || (major == 4 && sectorShift == 12))
            || BinaryPrimitives.ReadUInt16LittleEndian(header[0x20..]) != 6
            || BinaryPrimitives.ReadUInt32LittleEndian(header[0x38..]) != MiniStreamCutoff)
        {
            throw new CompoundFileException("the compound file header has an unknown version or sector size");
        }

        IsVersion3 = major == 3;
        sectorSize = 1 << sectorShift;
        if (data.Length < sectorSize)
        {
            throw new CompoundFileException("the file is cut short inside its header");
        }

        // The header fills sector "-1"; a last sector cut short by a careless writer is read as far as it goes.
        sectorCount = (int)((data.Length - (long)sectorSize + sectorSize - 1) / sectorSize);
        var fatSectors = BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]);
        var firstDirectory = BinaryPrimitives.ReadUInt32LittleEndian(header[0x30..]);
        var firstMiniFat = BinaryPrimitives.ReadUInt32LittleEndian(header[0x3C..]);
        var firstDifat = BinaryPrimitives.ReadUInt32LittleEndian(header[0x44..]);
        if (fatSectors == 0 || fatSectors > sectorCount)
        {
            throw new CompoundFileException("the compound file header gives an impossible number of FAT sectors");
        }

        fat = ReadFat(header, (int)fatSectors, firstDifat);
        entries = ReadDirectory(firstDirectory);
        var root = entries[0];
        if (root.Type != 5)
        {
            throw new CompoundFileException("the directory does not start with a root entry");
        }

        // The mini stream is the root entry's stream; the mini FAT is a chain of regular sectors.
        miniStream = root.Size == 0 ? [] : ReadRegular(root.StartSector, root.Size);
        miniFat = firstMiniFat is EndOfChain or NoStream ? [] : Table(ReadChain(fat, firstMiniFat, sectorCount, "mini FAT"));
    }

    public bool IsVersion3 { get; }

    /// <summary>Opens a compound file held in memory; throws <see cref="CompoundFileException"/> when it cannot be read.</summary>
    public static CompoundFile Open(byte[] data) => new(data);

    public CompoundFileEntry Root => Public(entries[0]);

    /// <summary>The storages and streams directly inside a storage, in no particular order.</summary>
    public IReadOnlyList<CompoundFileEntry> Children(CompoundFileEntry storage)
    {
        var children = new List<CompoundFileEntry>();
        var seen = new HashSet<uint>();
        var pending = new Stack<uint>();
        pending.Push(entries[storage.Id].Child);
        while (pending.Count > 0)
        {
            var id = pending.Pop();
            if (id == NoStream)
            {
                continue;
            }

            if (id >= entries.Count || !seen.Add(id))
            {
                throw new CompoundFileException("the directory tree points outside itself or loops");
            }

            var entry = entries[(int)id];
            if (entry.Type is not (1 or 2))
            {
                throw new CompoundFileException("the directory tree holds an entry that is neither a storage nor a stream");
            }

            children.Add(Public(entry));
            pending.Push(entry.Left);
            pending.Push(entry.Right);
        }

        return children;
    }

    /// <summary>
    /// The first <paramref name="maxBytes"/> bytes of a stream (all of it when shorter): a stream
    /// under 4096 bytes from the mini stream, a larger one from regular sectors.
    /// </summary>
    public byte[] Read(CompoundFileEntry stream, int maxBytes)
    {
        if (stream.IsStorage)
        {
            throw new CompoundFileException($"{stream.Name} is a storage, not a stream");
        }

        if (stream.Size == 0)
        {
            return [];
        }

        var length = (int)Math.Min(stream.Size, Math.Max(0, maxBytes));
        if (stream.Size >= MiniStreamCutoff)
        {
            return ReadRegular(stream.StartSector, stream.Size, length);
        }

        Spend(length);
        var sectors = ReadChain(miniFat, stream.StartSector, miniStream.Length / MiniSectorSize, stream.Name, Needed(length, MiniSectorSize));
        var bytes = new byte[length];
        for (var i = 0; i < sectors.Count; i++)
        {
            var count = Math.Min(MiniSectorSize, length - (i * MiniSectorSize));
            miniStream.AsSpan(sectors[i] * MiniSectorSize, count).CopyTo(bytes.AsSpan(i * MiniSectorSize));
        }

        return bytes;
    }

    private uint[] ReadFat(ReadOnlySpan<byte> header, int fatSectors, uint firstDifat)
    {
        var locations = new List<uint>(fatSectors);
        for (var i = 0; i < Math.Min(fatSectors, HeaderFatEntries); i++)
        {
            locations.Add(BinaryPrimitives.ReadUInt32LittleEndian(header[(0x4C + (i * 4))..]));
        }

        // Past 109 FAT sectors, their locations go on in a chain of DIFAT sectors, the last entry of each pointing to the next.
        var perDifat = (sectorSize / 4) - 1;
        var next = firstDifat;
        var seen = new HashSet<uint>();
        while (locations.Count < fatSectors)
        {
            if (next > MaxRegularSector || next >= sectorCount || !seen.Add(next))
            {
                throw new CompoundFileException("the DIFAT chain is cut short, points outside the file or loops");
            }

            var sector = Sector((int)next);
            for (var i = 0; i < perDifat && locations.Count < fatSectors; i++)
            {
                locations.Add(BinaryPrimitives.ReadUInt32LittleEndian(sector[(i * 4)..]));
            }

            next = BinaryPrimitives.ReadUInt32LittleEndian(sector[(perDifat * 4)..]);
        }

        if (locations.Any(l => l >= sectorCount))
        {
            throw new CompoundFileException("a FAT sector lies outside the file");
        }

        return Table(locations.Select(l => (int)l).ToList());
    }

    private List<RawEntry> ReadDirectory(uint first)
    {
        var sectors = ReadChain(fat, first, sectorCount, "directory", Needed((long)MaxDirectoryEntries * DirectoryEntrySize, sectorSize), stopAtLimit: true);
        var found = new List<RawEntry>();
        foreach (var index in sectors)
        {
            var sector = Sector(index);
            for (var offset = 0; offset + DirectoryEntrySize <= sectorSize; offset += DirectoryEntrySize)
            {
                found.Add(Entry(found.Count, sector.Slice(offset, DirectoryEntrySize)));
            }
        }

        if (found.Count == 0)
        {
            throw new CompoundFileException("the directory is empty");
        }

        return found;
    }

    private RawEntry Entry(int id, ReadOnlySpan<byte> raw)
    {
        var nameBytes = BinaryPrimitives.ReadUInt16LittleEndian(raw[64..]);
        var name = nameBytes is >= 2 and <= 64 && nameBytes % 2 == 0
            ? Encoding.Unicode.GetString(raw[..(nameBytes - 2)])
            : "";

        // Version 3 files keep only a 32-bit size; old writers left garbage in the high half.
        var size = BinaryPrimitives.ReadUInt64LittleEndian(raw[120..]);
        if (IsVersion3)
        {
            size &= 0xFFFFFFFF;
        }

        return new RawEntry(
            id,
            name,
            raw[66],
            BinaryPrimitives.ReadUInt32LittleEndian(raw[68..]),
            BinaryPrimitives.ReadUInt32LittleEndian(raw[72..]),
            BinaryPrimitives.ReadUInt32LittleEndian(raw[76..]),
            BinaryPrimitives.ReadUInt32LittleEndian(raw[116..]),
            (long)Math.Min(size, long.MaxValue));
    }

    private byte[] ReadRegular(uint start, long size, int? length = null)
    {
        if (size > data.Length)
        {
            throw new CompoundFileException("a stream claims to be larger than the whole file");
        }

        var wanted = length ?? (int)size;
        Spend(wanted);
        var sectors = ReadChain(fat, start, sectorCount, "stream", Needed(wanted, sectorSize));
        var bytes = new byte[wanted];
        for (var i = 0; i < sectors.Count; i++)
        {
            var count = Math.Min(sectorSize, wanted - (i * sectorSize));
            Sector(sectors[i])[..count].CopyTo(bytes.AsSpan(i * sectorSize));
        }

        return bytes;
    }

    /// <summary>
    /// The sectors of a chain, first to last: exactly <paramref name="needed"/> of them when that is
    /// given (fewer is an error), else up to the end-of-chain mark. Every index is checked against the
    /// table and the sectors that exist, and a sector met twice ends the reading.
    /// </summary>
    private static List<int> ReadChain(uint[] table, uint start, int sectors, string what, int? needed = null, bool stopAtLimit = false)
    {
        var limit = Math.Min(table.Length, sectors);
        var chain = new List<int>();
        var seen = new HashSet<uint>();
        var current = start;
        while (needed is null || chain.Count < needed)
        {
            if (current == EndOfChain && (needed is null || stopAtLimit))
            {
                break;
            }

            if (current >= limit)
            {
                throw new CompoundFileException($"the {what} chain is cut short or points outside the file");
            }

            if (!seen.Add(current))
            {
                throw new CompoundFileException($"the {what} chain loops");
            }

            chain.Add((int)current);
            current = table[current];
        }

        return chain;
    }

    /// <summary>A table of sector numbers (the FAT or the mini FAT) held in the given sectors.</summary>
    private uint[] Table(IReadOnlyList<int> sectors)
    {
        var perSector = sectorSize / 4;
        var table = new uint[sectors.Count * perSector];
        for (var i = 0; i < sectors.Count; i++)
        {
            var sector = Sector(sectors[i]);
            for (var j = 0; j < perSector; j++)
            {
                table[(i * perSector) + j] = BinaryPrimitives.ReadUInt32LittleEndian(sector[(j * 4)..]);
            }
        }

        return table;
    }

    private static int Needed(long bytes, int unit) => (int)((bytes + unit - 1) / unit);

    /// <summary>A whole sector; the last one of a file cut short is padded with zeros.</summary>
    private ReadOnlySpan<byte> Sector(int index)
    {
        var offset = (long)(index + 1) * sectorSize;
        if (offset + sectorSize <= data.Length)
        {
            return data.AsSpan((int)offset, sectorSize);
        }

        var padded = new byte[sectorSize];
        data.AsSpan((int)offset).CopyTo(padded);
        return padded;
    }

    private void Spend(long bytes)
    {
        readBudget -= bytes;
        if (readBudget < 0)
        {
            throw new CompoundFileException("its streams overlap (more was read than the file holds)");
        }
    }

    private static CompoundFileEntry Public(RawEntry entry) =>
        new(entry.Id, entry.Name, entry.Type is 1 or 5, entry.StartSector, entry.Size);

    private sealed record RawEntry(int Id, string Name, byte Type, uint Left, uint Right, uint Child, uint StartSector, long Size);
}
