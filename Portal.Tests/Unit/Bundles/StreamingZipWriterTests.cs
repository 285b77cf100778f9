using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using Portal.Core.Features.Bundles;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Bundles;

/// <summary>The bundle's ZIP writer, read back by .NET's reader and by Info-ZIP's unzip.</summary>
public sealed class StreamingZipWriterTests
{
    private static readonly DateTime Time = new(2026, 11, 23, 9, 30, 12, DateTimeKind.Utc);

    [Fact]
    public async Task StoredEntries_OnANonSeekableStream_ReadBackByteForByte_AndPassUnzipTest()
    {
        var streamed = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("streamed evidence ", 20_000)));
        var small = "{\"a\":1}\n"u8.ToArray();
        var output = new MemoryStream();
        var zip = new StreamingZipWriter(new ForwardOnlyStream(output), Time);

        await zip.AddStreamedAsync("evidence/01-a.txt", streamed.Length, async (entry, token) =>
        {
            for (var offset = 0; offset < streamed.Length; offset += 65536)
            {
                await entry.WriteAsync(streamed.AsMemory(offset, Math.Min(65536, streamed.Length - offset)), token);
            }
        }, CancellationToken.None);
        await zip.AddAsync("manifest.json", small, CancellationToken.None);
        await zip.FinishAsync(CancellationToken.None);

        using (var archive = new ZipArchive(new MemoryStream(output.ToArray()), ZipArchiveMode.Read))
        {
            Assert.Equal(["evidence/01-a.txt", "manifest.json"], archive.Entries.Select(e => e.FullName).ToArray());
            foreach (var (entry, expected) in archive.Entries.Zip([streamed, small]))
            {
                Assert.Equal(entry.Length, entry.CompressedLength);
                Assert.Equal(Crc32.HashToUInt32(expected), entry.Crc32);
                Assert.Equal(new DateTime(2026, 11, 23, 9, 30, 12), entry.LastWriteTime.DateTime);
                using var content = new MemoryStream();
                await using (var stream = await entry.OpenAsync())
                {
                    await stream.CopyToAsync(content);
                }

                Assert.Equal(expected, content.ToArray());
            }
        }

        var directory = TestDatabases.NewTempDirectory();
        var path = Path.Combine(directory, "a.zip");
        await File.WriteAllBytesAsync(path, output.ToArray());
        var test = await BundleDownloads.RunAsync("/usr/bin/unzip", directory, "-t", path);
        Assert.True(test.ExitCode == 0, test.Output + test.Errors);
        Assert.Contains("No errors detected", test.Output, StringComparison.Ordinal);
        var listing = await BundleDownloads.RunAsync("/usr/bin/unzip", directory, "-v", path);
        Assert.Equal(2, listing.Output.Split('\n').Count(l => l.Contains(" Stored ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AnEntryPast4GiB_GetsZip64SizesAndOffsets_ThatDotNetReads()
    {
        const long big = (4L << 30) + (1 << 20);
        var sparse = new SparseStream();
        var zip = new StreamingZipWriter(sparse, Time);
        var zeros = new byte[1 << 20];
        await zip.AddAsync("first.txt", "first"u8.ToArray(), CancellationToken.None);
        await zip.AddStreamedAsync("evidence/01-big.bin", big, async (entry, token) =>
        {
            for (long written = 0; written < big; written += zeros.Length)
            {
                await entry.WriteAsync(zeros, token);
            }
        }, CancellationToken.None);
        await zip.AddAsync("after.txt", "after the big one"u8.ToArray(), CancellationToken.None);
        await zip.FinishAsync(CancellationToken.None);

        var crc = new Crc32();
        for (long done = 0; done < big; done += zeros.Length)
        {
            crc.Append(zeros);
        }

        sparse.Position = 0;
        using var archive = new ZipArchive(sparse, ZipArchiveMode.Read);
        Assert.Equal(3, archive.Entries.Count);
        var entry = archive.GetEntry("evidence/01-big.bin") ?? throw new InvalidOperationException("missing");
        Assert.Equal(big, entry.Length);
        Assert.Equal(big, entry.CompressedLength);
        Assert.Equal(crc.GetCurrentHashAsUInt32(), entry.Crc32);
        using var after = new StreamReader(archive.GetEntry("after.txt")?.Open() ?? Stream.Null);
        Assert.Equal("after the big one", await after.ReadToEndAsync());
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("/abs")]
    [InlineData("a\\b")]
    [InlineData("a//b")]
    [InlineData("")]
    public async Task UnsafeNames_AreRefused(string name)
    {
        var zip = new StreamingZipWriter(new MemoryStream(), Time);

        await Assert.ThrowsAsync<ArgumentException>(() => zip.AddAsync(name, "x"u8.ToArray(), CancellationToken.None));
    }

    /// <summary>A response body: write-only, no seeking, no length.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous write");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Keeps written bytes, except runs of zeros, which it only counts: a 4 GiB archive in a few kilobytes.</summary>
    private sealed class SparseStream : Stream
    {
        private readonly List<(long Start, long Length, byte[]? Data)> segments = [];
        private long length;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => length;

        public override long Position { get; set; }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Position != length)
            {
                throw new NotSupportedException("Append only.");
            }

            if (buffer.IndexOfAnyExcept((byte)0) < 0 && segments.Count > 0 && segments[^1].Data is null)
            {
                segments[^1] = (segments[^1].Start, segments[^1].Length + buffer.Length, null);
            }
            else
            {
                segments.Add((length, buffer.Length, buffer.IndexOfAnyExcept((byte)0) < 0 ? null : buffer.ToArray()));
            }

            length += buffer.Length;
            Position = length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var segment = segments.FindLast(s => s.Start <= Position);
            if (Position >= length || segment.Length == 0)
            {
                return 0;
            }

            var within = Position - segment.Start;
            var n = (int)Math.Min(count, segment.Length - within);
            if (segment.Data is null)
            {
                Array.Clear(buffer, offset, n);
            }
            else
            {
                Array.Copy(segment.Data, within, buffer, offset, n);
            }

            Position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
