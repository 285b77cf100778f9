using System.Security.Cryptography;
using Portal.Core.Features.Evidence;

namespace Portal.Tests.Unit.Evidence;

public sealed class SequentialFileWriterTests : IDisposable
{
    private const int Block = 1024 * 1024;

    // Beside the test binaries, on the same file system as the portal's data in CI (not a tmpfs).
    private readonly DirectoryInfo directory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "writer-tests", Guid.NewGuid().ToString("N")));

    public void Dispose() => directory.Delete(recursive: true);

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(4095, true)]
    [InlineData(4096, true)]
    [InlineData(4097, true)]
    [InlineData(Block - 1, true)]
    [InlineData(Block, true)]
    [InlineData(Block + 1, true)]
    [InlineData((3 * Block) + 12345, true)]
    [InlineData(0, false)]
    [InlineData(4097, false)]
    [InlineData((3 * Block) + 12345, false)]
    public async Task WrittenInUnevenPieces_TheFileHoldsExactlyTheBytes(int size, bool bypassCache)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var path = Path.Combine(directory.FullName, "out.bin");

        await using (var file = NewFile(path))
        await using (var writer = new SequentialFileWriter(file, bypassCache))
        {
            // Pieces the size of an envelope record, as the cipher writes them, and one odd piece.
            var offset = 0;
            foreach (var piece in Pieces(size))
            {
                await writer.WriteAsync(data.AsMemory(offset, piece));
                offset += piece;
            }

            Assert.Equal(size, writer.Length);
            await writer.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task OnLinux_BlocksBypassThePageCache_AndTheFallbackDoesNot()
    {
        await using var direct = new SequentialFileWriter(NewFile(Path.Combine(directory.FullName, "direct.bin")));
        await using var cached = new SequentialFileWriter(NewFile(Path.Combine(directory.FullName, "cached.bin")), bypassCache: false);

        Assert.Equal(OperatingSystem.IsLinux(), direct.IsDirect);
        Assert.False(cached.IsDirect);
    }

    [Fact]
    public async Task DisposedWithoutCompleting_LeavesOnlyWholeBlocks_ForTheOwnerToDelete()
    {
        var path = Path.Combine(directory.FullName, "partial.bin");
        var data = RandomNumberGenerator.GetBytes((2 * Block) + 100);

        await using (var file = NewFile(path))
        await using (var writer = new SequentialFileWriter(file))
        {
            await writer.WriteAsync(data);
        }

        // The two full blocks were on their way to disk; the unfinished tail never is.
        var written = await File.ReadAllBytesAsync(path);
        Assert.Equal(data.AsSpan(0, 2 * Block).ToArray(), written);
    }

    private static FileStream NewFile(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 });

    private static IEnumerable<int> Pieces(int size)
    {
        var record = (64 * 1024) + 16;
        var left = size;
        if (left > 0)
        {
            var first = Math.Min(left, 77);
            yield return first;
            left -= first;
        }

        while (left > 0)
        {
            var piece = Math.Min(left, record);
            yield return piece;
            left -= piece;
        }
    }
}
