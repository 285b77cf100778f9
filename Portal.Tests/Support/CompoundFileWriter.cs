using System.Buffers.Binary;
using System.Text;

namespace Portal.Tests.Support;

/// <summary>
/// Writes compound files ([MS-CFB] version 3, 512-byte sectors) for the tests of the Outlook .msg
/// reader: streams under 4096 bytes go to the mini stream, larger ones to regular sectors, each
/// storage's children form a binary search tree in the spec's order (all black, which the spec
/// allows), and the FAT sectors are listed in the header (up to 109 of them, about 7 MB).
/// <see cref="RegularStreamStarts"/> tells a test where to break a chain.
/// </summary>
public sealed class CompoundFileWriter
{
    public const int SectorSize = 512;
    public const uint EndOfChain = 0xFFFFFFFE;
    private const uint FreeSector = 0xFFFFFFFF;
    private const uint FatSector = 0xFFFFFFFD;
    private const uint NoStream = 0xFFFFFFFF;
    private const int MiniSectorSize = 64;
    private const int MiniStreamCutoff = 4096;

    public CompoundFileStorage Root { get; } = new("Root Entry");

    /// <summary>After <see cref="ToArray"/>: the first sector of each stream kept in regular sectors, by name.</summary>
    public Dictionary<string, int> RegularStreamStarts { get; } = [];

    /// <summary>After <see cref="ToArray"/>: the first directory sector.</summary>
    public int DirectorySector { get; private set; }

    /// <summary>The file offset of the FAT entry for a sector (the FAT sectors come first, one after another).</summary>
    public static int FatEntryOffset(int sector) => SectorSize + (sector * 4);

    public byte[] ToArray()
    {
        var entries = new List<Entry>();
        Flatten(Root, entries, isRoot: true);

        // The mini stream: small streams one after another, each rounded up to 64 bytes.
        var miniStream = new MemoryStream();
        var miniFat = new List<uint>();
        foreach (var entry in entries.Where(e => e.Data is { Length: > 0 and < MiniStreamCutoff }))
        {
            entry.Start = (uint)(miniStream.Length / MiniSectorSize);
            var sectors = Needed(entry.Data!.Length, MiniSectorSize);
            for (var i = 0; i < sectors; i++)
            {
                miniFat.Add(i == sectors - 1 ? EndOfChain : entry.Start + (uint)i + 1);
            }

            miniStream.Write(entry.Data);
            miniStream.Write(new byte[(sectors * MiniSectorSize) - entry.Data.Length]);
        }

        var bigStreams = entries.Where(e => e.Data is { Length: >= MiniStreamCutoff }).ToList();
        var directorySectors = Needed(entries.Count * 128, SectorSize);
        var miniFatSectors = Needed(miniFat.Count * 4, SectorSize);
        var miniStreamSectors = Needed((int)miniStream.Length, SectorSize);
        var others = directorySectors + miniFatSectors + miniStreamSectors + bigStreams.Sum(s => Needed(s.Data!.Length, SectorSize));
        var fatSectors = 1;
        while (fatSectors * (SectorSize / 4) < others + fatSectors)
        {
            fatSectors++;
        }

        if (fatSectors > 109)
        {
            throw new InvalidOperationException("This writer lists FAT sectors only in the header.");
        }

        var fat = new List<uint>();
        for (var i = 0; i < fatSectors; i++)
        {
            fat.Add(FatSector);
        }

        DirectorySector = Chain(fat, directorySectors);
        var miniFatStart = Chain(fat, miniFatSectors);
        var miniStreamStart = Chain(fat, miniStreamSectors);
        foreach (var stream in bigStreams)
        {
            stream.Start = (uint)Chain(fat, Needed(stream.Data!.Length, SectorSize));
            RegularStreamStarts[stream.Name] = (int)stream.Start;
        }

        while (fat.Count < fatSectors * (SectorSize / 4))
        {
            fat.Add(FreeSector);
        }

        var root = entries[0];
        root.Start = miniStream.Length == 0 ? EndOfChain : (uint)miniStreamStart;
        root.Size = miniStream.Length;

        var file = new byte[SectorSize * (1 + fat.Count / (SectorSize / 4) + others)];
        WriteHeader(file, fatSectors, miniFatSectors == 0 ? EndOfChain : (uint)miniFatStart, miniFatSectors);
        for (var i = 0; i < fat.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(FatEntryOffset(i)), fat[i]);
        }

        var directory = new byte[directorySectors * SectorSize];
        for (var i = 0; i < directorySectors * SectorSize / 128; i++)
        {
            WriteEntry(directory.AsSpan(i * 128, 128), i < entries.Count ? entries[i] : null);
        }

        directory.CopyTo(file, Offset(DirectorySector));
        var miniFatBytes = new byte[miniFatSectors * SectorSize];
        miniFatBytes.AsSpan().Fill(0xFF);
        for (var i = 0; i < miniFat.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(miniFatBytes.AsSpan(i * 4), miniFat[i]);
        }

        if (miniFatSectors > 0)
        {
            miniFatBytes.CopyTo(file, Offset(miniFatStart));
            miniStream.ToArray().CopyTo(file, Offset(miniStreamStart));
        }
        foreach (var stream in bigStreams)
        {
            stream.Data!.CopyTo(file, Offset((int)stream.Start));
        }

        return file;
    }

    private static int Offset(int sector) => (sector + 1) * SectorSize;

    private static int Needed(int bytes, int unit) => (bytes + unit - 1) / unit;

    /// <summary>Appends a chain of consecutive sectors to the FAT; returns its first sector, or -1 for none.</summary>
    private static int Chain(List<uint> fat, int sectors)
    {
        var start = fat.Count;
        for (var i = 0; i < sectors; i++)
        {
            fat.Add(i == sectors - 1 ? EndOfChain : (uint)(start + i + 1));
        }

        return sectors == 0 ? -1 : start;
    }

    private static void WriteHeader(byte[] file, int fatSectors, uint miniFatStart, int miniFatSectors)
    {
        var header = file.AsSpan(0, SectorSize);
        ReadOnlySpan<byte> signature = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        signature.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x18..], 0x003E);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1A..], 3);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1C..], 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1E..], 9);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x20..], 6);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x2C..], (uint)fatSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x30..], (uint)fatSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x38..], MiniStreamCutoff);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x3C..], miniFatStart);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x40..], (uint)miniFatSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x44..], EndOfChain);
        for (var i = 0; i < 109; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(0x4C + (i * 4))..], i < fatSectors ? (uint)i : FreeSector);
        }
    }

    private static void WriteEntry(Span<byte> raw, Entry? entry)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(raw[68..], NoStream);
        BinaryPrimitives.WriteUInt32LittleEndian(raw[72..], NoStream);
        BinaryPrimitives.WriteUInt32LittleEndian(raw[76..], NoStream);
        if (entry is null)
        {
            return;
        }

        var name = Encoding.Unicode.GetBytes(entry.Name + "\0");
        name.CopyTo(raw);
        BinaryPrimitives.WriteUInt16LittleEndian(raw[64..], (ushort)name.Length);
        raw[66] = entry.Type;
        raw[67] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(raw[68..], entry.Left);
        BinaryPrimitives.WriteUInt32LittleEndian(raw[72..], entry.Right);
        BinaryPrimitives.WriteUInt32LittleEndian(raw[76..], entry.Child);
        BinaryPrimitives.WriteUInt32LittleEndian(raw[116..], entry.Type == 1 ? 0 : entry.Start);
        BinaryPrimitives.WriteUInt64LittleEndian(raw[120..], (ulong)entry.Size);
    }

    /// <summary>Gives every entry its id (depth first) and links each storage's children as a balanced tree.</summary>
    private static Entry Flatten(CompoundFileStorage storage, List<Entry> entries, bool isRoot = false)
    {
        var entry = new Entry(storage.Name, isRoot ? (byte)5 : (byte)1, null) { Start = EndOfChain };
        entry.Id = (uint)entries.Count;
        entries.Add(entry);
        var children = new List<Entry>();
        foreach (var (name, data) in storage.Streams)
        {
            var stream = new Entry(name, 2, data) { Id = (uint)entries.Count, Size = data.Length, Start = data.Length == 0 ? EndOfChain : 0 };
            entries.Add(stream);
            children.Add(stream);
        }

        foreach (var child in storage.Storages)
        {
            children.Add(Flatten(child, entries));
        }

        children.Sort((a, b) => Compare(a.Name, b.Name));
        entry.Child = Balanced(children, 0, children.Count);
        return entry;
    }

    private static uint Balanced(List<Entry> sorted, int from, int to)
    {
        if (from >= to)
        {
            return NoStream;
        }

        var middle = (from + to) / 2;
        sorted[middle].Left = Balanced(sorted, from, middle);
        sorted[middle].Right = Balanced(sorted, middle + 1, to);
        return sorted[middle].Id;
    }

    /// <summary>[MS-CFB] 2.6.4: shorter names first, then by upper-case code unit.</summary>
    private static int Compare(string a, string b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a.ToUpperInvariant(), b.ToUpperInvariant());

    private sealed class Entry(string name, byte type, byte[]? data)
    {
        public string Name { get; } = name;

        public byte Type { get; } = type;

        public byte[]? Data { get; } = data;

        public uint Id { get; set; }

        public uint Left { get; set; } = NoStream;

        public uint Right { get; set; } = NoStream;

        public uint Child { get; set; } = NoStream;

        public uint Start { get; set; }

        public long Size { get; set; }
    }
}

/// <summary>A storage (a folder) of a compound file being written.</summary>
public sealed class CompoundFileStorage(string name)
{
    public string Name { get; } = name.Length <= 31 ? name : throw new ArgumentException("A name has at most 31 characters.", nameof(name));

    public List<(string Name, byte[] Data)> Streams { get; } = [];

    public List<CompoundFileStorage> Storages { get; } = [];

    public CompoundFileStorage Stream(string streamName, byte[] data)
    {
        Streams.Add((streamName, data));
        return this;
    }

    public CompoundFileStorage Storage(string storageName)
    {
        var storage = new CompoundFileStorage(storageName);
        Storages.Add(storage);
        return storage;
    }
}
