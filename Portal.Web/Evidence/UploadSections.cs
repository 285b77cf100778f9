using Microsoft.AspNetCore.WebUtilities;

namespace Portal.Web.Evidence;

/// <summary>
/// Reads an upload's multipart sections so that a body the client cut short (it ends before its
/// closing boundary) is malformed input like any other broken framing: an
/// <see cref="InvalidDataException"/>, answered 400. The multipart reader reports it as a bare
/// IOException, which the error page took for a server failure (500). Only reading the request
/// is converted; an IOException while writing the evidence stays a server error.
/// </summary>
internal static class UploadSections
{
    public static async Task<MultipartSection?> NextAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            var section = await reader.ReadNextSectionAsync(cancellationToken);
            if (section is not null)
            {
                section.Body = new ClientBodyStream(section.Body);
            }

            return section;
        }
        catch (IOException exception) when (exception is not BadHttpRequestException)
        {
            throw Truncated(exception);
        }
    }

    private static InvalidDataException Truncated(IOException exception) =>
        new("The upload ended before its closing boundary.", exception);

    /// <summary>A section's body whose read failures are the client's (413 and 408 keep their own exception).</summary>
    private sealed class ClientBodyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (IOException exception) when (exception is not BadHttpRequestException)
            {
                throw Truncated(exception);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (IOException exception) when (exception is not BadHttpRequestException)
            {
                throw Truncated(exception);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
