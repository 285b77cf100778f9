using Portal.Core.Crypto;

namespace Portal.Core.Features.Evidence;

/// <summary>Thrown while streaming when a file passes the byte limit it was given; nothing of it is kept.</summary>
public sealed class EvidenceTooLargeException(long limit) : Exception($"The file is larger than {limit} bytes.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Where evidence bytes live, always as envelopes. A boundary so that object storage can
/// replace the shared volume later. Writing is two-step: an upload becomes a temporary blob
/// (synced), which is moved durably to its final name before its database row commits. So a
/// row always has its file, and a crash leaves at most a temporary or unreferenced blob that
/// the cleanup removes once it is older than any upload in progress (docs/decisions/0020).
/// </summary>
public interface IEvidenceStore
{
    /// <summary>Encrypts <paramref name="plaintext"/> into a temporary blob while hashing it; past <paramref name="maxBytes"/> it throws <see cref="EvidenceTooLargeException"/> and keeps nothing.</summary>
    Task<EnvelopeInfo> WriteTemporaryAsync(Guid id, Stream plaintext, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Moves a temporary blob to its final name (atomic, and durable when it returns); a no-op when already there.</summary>
    void Commit(Guid id);

    /// <summary>Removes the blob, temporary or final.</summary>
    void Delete(Guid id);

    /// <summary>The envelope bytes of a committed blob.</summary>
    Stream OpenRead(Guid id);

    bool Exists(Guid id);

    /// <summary>Temporary blobs with the time they were last written: uploads in progress or abandoned.</summary>
    IReadOnlyList<(Guid Id, DateTime LastWriteUtc)> TemporaryBlobs();

    /// <summary>Blobs under their final names, with the time they were last written.</summary>
    IReadOnlyList<(Guid Id, DateTime LastWriteUtc)> CommittedBlobs();
}

/// <summary>
/// Evidence on a local or shared file system: <c>evidence/ab/&lt;id&gt;.pev</c>, with uploads in
/// <c>evidence/tmp/</c> on the same volume so the final move is a rename. Names come only from
/// server-generated ids; an uploaded file name never reaches a path.
/// </summary>
public sealed class FileEvidenceStore(string directory, EnvelopeCipher cipher) : IEvidenceStore
{
    private const string Extension = ".pev";
    private const string TemporaryExtension = ".pev.tmp";

    private string TemporaryDirectory => Path.Combine(directory, "tmp");

    public async Task<EnvelopeInfo> WriteTemporaryAsync(Guid id, Stream plaintext, long maxBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(TemporaryDirectory);
        var path = TemporaryPath(id);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using var file = new FileStream(path, options);
            await using var writer = new SequentialFileWriter(file);
            var info = await cipher.EncryptAsync(new LimitedReadStream(plaintext, maxBytes), writer, cancellationToken);
            await writer.CompleteAsync(cancellationToken);
            return info;
        }
        catch
        {
            DeleteIfPresent(path);
            throw;
        }
    }

    public void Commit(Guid id)
    {
        var final = FinalPath(id);
        if (File.Exists(final))
        {
            DeleteIfPresent(TemporaryPath(id));
            return;
        }

        var folder = FolderOf(id);
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            DurableDirectory.Sync(directory);
        }

        File.Move(TemporaryPath(id), final);
        DurableDirectory.Sync(folder);
    }

    public void Delete(Guid id)
    {
        DeleteIfPresent(TemporaryPath(id));
        DeleteIfPresent(FinalPath(id));
    }

    public Stream OpenRead(Guid id) =>
        new FileStream(FinalPath(id), FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public bool Exists(Guid id) => File.Exists(FinalPath(id));

    public IReadOnlyList<(Guid Id, DateTime LastWriteUtc)> TemporaryBlobs() =>
        !Directory.Exists(TemporaryDirectory)
            ? []
            : Directory.EnumerateFiles(TemporaryDirectory, "*" + TemporaryExtension)
                .Select(path => (Name: Path.GetFileName(path)[..^TemporaryExtension.Length], Path: path))
                .Where(f => Guid.TryParseExact(f.Name, "N", out _))
                .Select(f => (Guid.ParseExact(f.Name, "N"), File.GetLastWriteTimeUtc(f.Path)))
                .ToList();

    public IReadOnlyList<(Guid Id, DateTime LastWriteUtc)> CommittedBlobs() =>
        !Directory.Exists(directory)
            ? []
            : Directory.EnumerateFiles(directory, "*" + Extension, SearchOption.AllDirectories)
                .Select(path => (Name: Path.GetFileNameWithoutExtension(path), Path: path))
                .Where(f => Guid.TryParseExact(f.Name, "N", out _))
                .Select(f => (Guid.ParseExact(f.Name, "N"), File.GetLastWriteTimeUtc(f.Path)))
                .ToList();

    private static void DeleteIfPresent(string path)
    {
        // File.Delete tolerates a missing file but not a missing folder.
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private string TemporaryPath(Guid id) => Path.Combine(TemporaryDirectory, id.ToString("N") + TemporaryExtension);

    private string FinalPath(Guid id) => Path.Combine(FolderOf(id), id.ToString("N") + Extension);

    // Spread over 256 folders; v7 ids share their leading (time) digits, so use the random tail.
    private string FolderOf(Guid id) => Path.Combine(directory, id.ToString("N")[^2..]);

    /// <summary>Counts what passes through and stops the upload the moment it passes the limit.</summary>
    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long total;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => total;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            total += read;
            return total > limit ? throw new EvidenceTooLargeException(limit) : read;
        }
    }
}
