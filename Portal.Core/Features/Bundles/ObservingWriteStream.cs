namespace Portal.Core.Features.Bundles;

/// <summary>
/// A write-only stream that looks at each write (a checksum, a hash), counts it and passes it on.
/// Bundles go to HTTP responses, which take no synchronous writes, so only asynchronous writes are served.
/// </summary>
internal abstract class ObservingWriteStream : Stream
{
    /// <summary>Bytes written so far.</summary>
    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    public sealed override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Observe(buffer.Span);
        Written += buffer.Length;
        await PassOnAsync(buffer, cancellationToken);
    }

    public sealed override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public sealed override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Bundles are written asynchronously: the response stream allows no synchronous writes.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Takes in the bytes about to be passed on.</summary>
    protected abstract void Observe(ReadOnlySpan<byte> bytes);

    /// <summary>Writes the bytes to where they are going.</summary>
    protected abstract ValueTask PassOnAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);
}
