using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Portal.Core.Features.Evidence;

/// <summary>
/// Writes a new file front to back in large blocks, one block going to disk in the background
/// while the next fills. On Linux the blocks bypass the page cache (O_DIRECT): evidence is
/// ciphertext nobody reads back soon, and copying it into the cache cost more CPU than encrypting
/// it (decision 0018). Where direct I/O is unavailable (another OS, a file system that refuses
/// it) the same blocks go through the page cache. <see cref="CompleteAsync"/> writes the tail
/// and flushes to disk; a writer disposed without completing leaves a partial file for its
/// owner to delete.
/// </summary>
internal sealed class SequentialFileWriter : Stream
{
    /// <summary>Direct I/O needs block-aligned memory, offsets and lengths; 4 KiB covers common devices.</summary>
    private const int Alignment = 4096;
    private const int BlockSize = 1024 * 1024;

    /// <summary>Idle blocks kept between uploads (pinned memory is costly to churn): 8 MiB at most.</summary>
    private const int MaxSpareBlocks = 8;

    private static readonly ConcurrentQueue<Memory<byte>> SpareBlocks = new();

    private readonly FileStream file;
    private readonly SafeFileHandle handle;

    // The second block is taken only when the first fills: most evidence is far smaller than a block.
    private readonly Memory<byte>[] blocks = new Memory<byte>[2];
    private bool direct;
    private int current;
    private int filled;
    private long position;
    private Task pending = Task.CompletedTask;

    /// <param name="file">A new, empty file opened for writing, without a buffer of its own.</param>
    /// <param name="bypassCache">Whether to try direct I/O (tests switch it off to cover the fallback).</param>
    public SequentialFileWriter(FileStream file, bool bypassCache = true)
    {
        this.file = file;
        handle = file.SafeFileHandle;
        blocks[0] = TakeBlock();
        direct = bypassCache && DirectIo.TryEnable(handle);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => position + filled;

    public override long Position
    {
        get => Length;
        set => throw new NotSupportedException();
    }

    /// <summary>Whether blocks bypass the page cache (for tests and diagnostics).</summary>
    public bool IsDirect => direct;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var count = Math.Min(BlockSize - filled, buffer.Length);
            buffer[..count].CopyTo(blocks[current][filled..]);
            filled += count;
            buffer = buffer[count..];
            if (filled == BlockSize)
            {
                await SubmitAsync(cancellationToken);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Writes what is left and flushes the file to disk.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await pending;
        var tail = blocks[current][..filled];
        if (direct)
        {
            // Whole 4 KiB pages still go direct; the unaligned rest through the cache, which the flush below writes out.
            var aligned = filled / Alignment * Alignment;
            await WriteBlockAsync(tail[..aligned], position, cancellationToken);
            position += aligned;
            tail = tail[aligned..];
            if (direct && !DirectIo.TryDisable(handle))
            {
                throw new IOException("Could not switch off direct I/O for the end of the file.");
            }

            direct = false;
        }

        await RandomAccess.WriteAsync(handle, tail, position, cancellationToken);
        position += tail.Length;
        filled = 0;
        file.Flush(flushToDisk: true);
    }

    public override void Flush()
    {
        // Blocks are written as they fill; CompleteAsync writes the rest.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        // A write still in flight must finish before the caller deletes the file or the block is reused.
        await pending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ReturnBlocks();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            ReturnBlocks();
        }

        base.Dispose(disposing);
    }

    private async Task SubmitAsync(CancellationToken cancellationToken)
    {
        // The other block's write must be done before it is filled again.
        await pending;
        pending = WriteBlockAsync(blocks[current], position, cancellationToken);
        position += BlockSize;
        current ^= 1;
        filled = 0;
        if (blocks[current].IsEmpty)
        {
            blocks[current] = TakeBlock();
        }
    }

    private async Task WriteBlockAsync(ReadOnlyMemory<byte> block, long offset, CancellationToken cancellationToken)
    {
        try
        {
            await RandomAccess.WriteAsync(handle, block, offset, cancellationToken);
        }
        catch (IOException) when (direct)
        {
            // A device with blocks larger than the alignment used here refuses direct writes
            // (EINVAL): the rest of the file goes through the cache, starting with this block.
            direct = DirectIo.TryDisable(handle) ? false : throw new IOException("A direct write failed and direct I/O could not be switched off.");
            await RandomAccess.WriteAsync(handle, block, offset, cancellationToken);
        }
    }

    private void ReturnBlocks()
    {
        for (var i = 0; i < blocks.Length; i++)
        {
            if (!blocks[i].IsEmpty && SpareBlocks.Count < MaxSpareBlocks)
            {
                SpareBlocks.Enqueue(blocks[i]);
            }

            blocks[i] = Memory<byte>.Empty;
        }
    }

    /// <summary>A block in memory the GC never moves, starting on an aligned address.</summary>
    private static Memory<byte> TakeBlock()
    {
        if (SpareBlocks.TryDequeue(out var spare))
        {
            return spare;
        }

        var array = GC.AllocateUninitializedArray<byte>(BlockSize + Alignment, pinned: true);
        var address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        var skip = (int)((Alignment - (address % Alignment)) % Alignment);
        return array.AsMemory(skip, BlockSize);
    }

    /// <summary>O_DIRECT switched on an open file with fcntl, Linux only (the flag's value depends on the architecture).</summary>
    private static class DirectIo
    {
        private const int GetFlags = 3;
        private const int SetFlags = 4;

        private static int? Flag => !OperatingSystem.IsLinux() ? null : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 or Architecture.X86 => 0x4000,
            Architecture.Arm64 or Architecture.Arm => 0x10000,
            _ => null,
        };

        public static bool TryEnable(SafeFileHandle handle) => Flag is { } flag && Change(handle, flags => flags | flag);

        public static bool TryDisable(SafeFileHandle handle) => Flag is { } flag && Change(handle, flags => flags & ~flag);

        private static bool Change(SafeFileHandle handle, Func<int, int> change)
        {
            var flags = Fcntl(handle, GetFlags, 0);
            return flags >= 0 && Fcntl(handle, SetFlags, change(flags)) == 0;
        }

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        private static extern int Fcntl(SafeFileHandle handle, int command, int argument);
    }
}
