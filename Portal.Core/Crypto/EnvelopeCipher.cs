using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Crypto;

/// <summary>Result of encrypting a stream: the plaintext's SHA-256 and length, and the master key used.</summary>
public sealed record EnvelopeInfo(byte[] Sha256, long Length, string KeyId);

/// <summary>Thrown when an envelope fails authentication: tampered, truncated, reordered or wrong key.</summary>
public sealed class EnvelopeTamperedException(string message) : Exception(message);

/// <summary>
/// Chunked AES-256-GCM envelope for evidence files and sensitive fields.
/// <para>
/// Layout: header, then chunks of ciphertext plus a 16-byte tag. The header holds a magic, the
/// master key id, a random data key wrapped (AES-GCM) by that master key, a random 8-byte nonce
/// prefix and the chunk size. Chunk i uses nonce = prefix || i (big-endian) and associated data
/// = header || final flag, so reordering, truncation and header edits all fail authentication.
/// Every chunk but the last is full; a plaintext of an exact multiple of the chunk size ends with
/// an empty final chunk.
/// </para>
/// </summary>
public sealed class EnvelopeCipher(IKeySource keys)
{
    public const int DefaultChunkSize = 64 * 1024;
    private const int TagSize = 16;
    private const int MaxBatchChunks = 16;
    private const int NonceSize = 12;
    private const int PrefixSize = 8;
    private const int DataKeySize = 32;
    private static readonly byte[] Magic = "PEV1"u8.ToArray();

    public async Task<EnvelopeInfo> EncryptAsync(Stream plaintext, Stream destination, CancellationToken cancellationToken = default)
    {
        var master = keys.Current;
        var dataKey = RandomNumberGenerator.GetBytes(DataKeySize);
        try
        {
            var header = BuildHeader(master, dataKey, RandomNumberGenerator.GetBytes(PrefixSize), DefaultChunkSize);
            await destination.WriteAsync(header, cancellationToken);

            using var aes = new AesGcm(dataKey, TagSize);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var prefix = header.AsMemory(header.Length - 4 - PrefixSize, PrefixSize);
            // Plaintext is read a batch of chunks at a time into one of two buffers. SHA-256 of a
            // batch runs on another core while the same batch is encrypted and written and the
            // next one is read (hashing is the slower half); batching keeps the hand-overs few.
            var batchSize = BatchSize(plaintext);
            byte[][] buffers = [ArrayPool<byte>.Shared.Rent(batchSize), ArrayPool<byte>.Shared.Rent(batchSize)];
            var output = ArrayPool<byte>.Shared.Rent(batchSize / DefaultChunkSize * (DefaultChunkSize + TagSize));
            var aad = new byte[header.Length + 1];
            header.CopyTo(aad, 0);
            var nonce = new byte[NonceSize];
            long length = 0;
            uint index = 0;
            var hashing = Task.CompletedTask;
            try
            {
                for (var batch = 0; ; batch++)
                {
                    var buffer = buffers[batch % 2];
                    var read = await plaintext.ReadAtLeastAsync(buffer.AsMemory(0, batchSize), batchSize, throwOnEndOfStream: false, cancellationToken);
                    var isLastBatch = read < batchSize;
                    length += read;

                    // The other buffer's hash must be done before that buffer is read into again.
                    await hashing;
                    hashing = isLastBatch
                        ? HashInline(sha, buffer, read)
                        : Task.Run(() => sha.AppendData(buffer, 0, read), cancellationToken);

                    // Full chunks, then (in the last batch) the short or empty final chunk.
                    var written = 0;
                    for (var offset = 0; offset < read || (isLastBatch && offset == read); offset += DefaultChunkSize)
                    {
                        var size = Math.Min(DefaultChunkSize, read - offset);
                        var isFinal = size < DefaultChunkSize;
                        MakeNonce(prefix.Span, index, nonce);
                        aad[^1] = isFinal ? (byte)1 : (byte)0;
                        aes.Encrypt(nonce, buffer.AsSpan(offset, size), output.AsSpan(written, size), output.AsSpan(written + size, TagSize), aad);
                        written += size + TagSize;
                        index = isFinal ? index : checked(index + 1);
                    }

                    await destination.WriteAsync(output.AsMemory(0, written), cancellationToken);
                    if (isLastBatch)
                    {
                        break;
                    }
                }
            }
            finally
            {
                await hashing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                CryptographicOperations.ZeroMemory(buffers[0].AsSpan(0, batchSize));
                CryptographicOperations.ZeroMemory(buffers[1].AsSpan(0, batchSize));
                ArrayPool<byte>.Shared.Return(buffers[0]);
                ArrayPool<byte>.Shared.Return(buffers[1]);
                ArrayPool<byte>.Shared.Return(output);
            }

            await hashing;
            await destination.FlushAsync(cancellationToken);
            return new EnvelopeInfo(sha.GetHashAndReset(), length, master.Id);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Decrypts into <paramref name="destination"/>, writing only chunks that have authenticated.
    /// A truncated or tampered envelope throws after the authenticated prefix has been written, so
    /// callers that must not release any byte of a bad file call <see cref="VerifyAsync"/> first.
    /// </summary>
    public async Task<EnvelopeInfo> DecryptAsync(Stream envelope, Stream destination, CancellationToken cancellationToken = default)
    {
        return await ProcessAsync(envelope, destination, cancellationToken);
    }

    /// <summary>Authenticates the whole envelope without releasing plaintext; returns its SHA-256 and length.</summary>
    public Task<EnvelopeInfo> VerifyAsync(Stream envelope, CancellationToken cancellationToken = default) =>
        ProcessAsync(envelope, null, cancellationToken);

    /// <summary>
    /// The plaintext length a complete envelope of this size holds, after authenticating its
    /// header (the wrapped data key) but without reading the chunks: a cheap check that finds a
    /// missing key, a replaced header or a truncated file before anything is streamed.
    /// </summary>
    public async Task<long> PlaintextLengthAsync(Stream envelope, CancellationToken cancellationToken = default)
    {
        var (header, _, dataKey, _, chunkSize) = await ReadHeaderAsync(envelope, cancellationToken);
        CryptographicOperations.ZeroMemory(dataKey);
        var payload = envelope.Length - header.Length;
        var records = (payload + chunkSize + TagSize - 1) / (chunkSize + TagSize);
        return payload < TagSize ? -1 : payload - (records * TagSize);
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length < DefaultChunkSize)
        {
            return SealOneChunk(plaintext);
        }

        using var input = new MemoryStream(plaintext.ToArray(), writable: false);
        using var output = new MemoryStream();
        // Memory streams complete synchronously, so this never blocks on I/O.
        EncryptAsync(input, output).GetAwaiter().GetResult();
        return output.ToArray();
    }

    /// <summary>
    /// A field shorter than a chunk (a narrative, a contact, a key): the envelope
    /// <see cref="EncryptAsync"/> would write, a header and one final chunk, made in one pass
    /// without its streaming buffers.
    /// </summary>
    private byte[] SealOneChunk(ReadOnlySpan<byte> plaintext)
    {
        var master = keys.Current;
        Span<byte> dataKey = stackalloc byte[DataKeySize];
        RandomNumberGenerator.Fill(dataKey);
        try
        {
            var header = BuildHeader(master, dataKey, RandomNumberGenerator.GetBytes(PrefixSize), DefaultChunkSize);
            var envelope = new byte[header.Length + plaintext.Length + TagSize];
            header.CopyTo(envelope, 0);
            Span<byte> aad = stackalloc byte[header.Length + 1];
            header.CopyTo(aad);
            aad[^1] = 1;
            Span<byte> nonce = stackalloc byte[NonceSize];
            MakeNonce(header.AsSpan(header.Length - 4 - PrefixSize, PrefixSize), 0, nonce);
            using var aes = new AesGcm(dataKey, TagSize);
            aes.Encrypt(nonce, plaintext, envelope.AsSpan(header.Length, plaintext.Length), envelope.AsSpan(header.Length + plaintext.Length, TagSize), aad);
            return envelope;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public byte[] Open(byte[] envelope)
    {
        using var input = new MemoryStream(envelope, writable: false);
        using var output = new MemoryStream();
        ProcessAsync(input, output, CancellationToken.None).GetAwaiter().GetResult();
        return output.ToArray();
    }

    public byte[] SealString(string plaintext) => Seal(Encoding.UTF8.GetBytes(plaintext));

    public string OpenString(byte[] envelope) => Encoding.UTF8.GetString(Open(envelope));

    private async Task<EnvelopeInfo> ProcessAsync(Stream envelope, Stream? destination, CancellationToken cancellationToken)
    {
        var (header, master, dataKey, prefix, chunkSize) = await ReadHeaderAsync(envelope, cancellationToken);
        // Two plaintext buffers: SHA-256 of one chunk runs on another core while the next chunk is
        // read and decrypted and this one is written (as in EncryptAsync; hashing is the slower half).
        byte[][] plains = [new byte[chunkSize], new byte[chunkSize]];
        var hashing = Task.CompletedTask;
        try
        {
            using var aes = new AesGcm(dataKey, TagSize);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[chunkSize + TagSize];
            var aad = new byte[header.Length + 1];
            header.CopyTo(aad, 0);
            var nonce = new byte[NonceSize];
            long length = 0;
            uint index = 0;
            while (true)
            {
                var read = await envelope.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
                if (read < TagSize)
                {
                    throw new EnvelopeTamperedException("The envelope is truncated.");
                }

                var isFinal = read < buffer.Length;
                var plainLength = read - TagSize;
                var plain = plains[index % 2];
                MakeNonce(prefix, index, nonce);
                aad[^1] = isFinal ? (byte)1 : (byte)0;
                try
                {
                    aes.Decrypt(nonce, buffer.AsSpan(0, plainLength), buffer.AsSpan(plainLength, TagSize), plain.AsSpan(0, plainLength), aad);
                }
                catch (AuthenticationTagMismatchException)
                {
                    throw new EnvelopeTamperedException(isFinal
                        ? $"Chunk {index} failed authentication (tampered or truncated)."
                        : $"Chunk {index} failed authentication.");
                }

                // The other buffer's hash must be done before that buffer is decrypted into again.
                await hashing;
                hashing = isFinal
                    ? HashInline(sha, plain, plainLength)
                    : Task.Run(() => sha.AppendData(plain, 0, plainLength), cancellationToken);
                length += plainLength;
                if (destination is not null)
                {
                    await destination.WriteAsync(plain.AsMemory(0, plainLength), cancellationToken);
                }

                if (isFinal)
                {
                    break;
                }

                index = checked(index + 1);
            }

            await hashing;
            return new EnvelopeInfo(sha.GetHashAndReset(), length, master.Id);
        }
        finally
        {
            await hashing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            CryptographicOperations.ZeroMemory(plains[0]);
            CryptographicOperations.ZeroMemory(plains[1]);
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Plaintext bytes taken per read: a whole number of chunks, up to <see cref="MaxBatchChunks"/>,
    /// but no more than a seekable source (a sealed field) can still hold.
    /// </summary>
    private static int BatchSize(Stream plaintext)
    {
        var remaining = plaintext.CanSeek ? Math.Max(0, plaintext.Length - plaintext.Position) : long.MaxValue;
        var chunks = Math.Clamp((remaining / DefaultChunkSize) + 1, 1, MaxBatchChunks);
        return (int)chunks * DefaultChunkSize;
    }

    private static Task HashInline(IncrementalHash sha, byte[] buffer, int count)
    {
        sha.AppendData(buffer, 0, count);
        return Task.CompletedTask;
    }

    private static byte[] BuildHeader(MasterKey master, ReadOnlySpan<byte> dataKey, byte[] prefix, int chunkSize)
    {
        var keyId = Encoding.ASCII.GetBytes(master.Id);
        if (keyId.Length is 0 or > 255)
        {
            throw new InvalidOperationException("A master key id must be 1 to 255 ASCII characters.");
        }

        var wrapNonce = RandomNumberGenerator.GetBytes(NonceSize);
        var wrapped = new byte[DataKeySize];
        var wrapTag = new byte[TagSize];
        using (var wrap = new AesGcm(master.Key, TagSize))
        {
            wrap.Encrypt(wrapNonce, dataKey, wrapped, wrapTag, WrapAssociatedData(keyId));
        }

        var header = new byte[Magic.Length + 1 + keyId.Length + NonceSize + DataKeySize + TagSize + PrefixSize + 4];
        var span = header.AsSpan();
        Magic.CopyTo(span);
        span = span[Magic.Length..];
        span[0] = (byte)keyId.Length;
        keyId.CopyTo(span[1..]);
        span = span[(1 + keyId.Length)..];
        wrapNonce.CopyTo(span);
        wrapped.CopyTo(span[NonceSize..]);
        wrapTag.CopyTo(span[(NonceSize + DataKeySize)..]);
        span = span[(NonceSize + DataKeySize + TagSize)..];
        prefix.CopyTo(span);
        BinaryPrimitives.WriteInt32BigEndian(span[PrefixSize..], chunkSize);
        return header;
    }

    private async Task<(byte[] Header, MasterKey Master, byte[] DataKey, byte[] Prefix, int ChunkSize)> ReadHeaderAsync(Stream envelope, CancellationToken cancellationToken)
    {
        var start = new byte[Magic.Length + 1];
        if (await envelope.ReadAtLeastAsync(start, start.Length, throwOnEndOfStream: false, cancellationToken) < start.Length
            || !start.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new EnvelopeTamperedException("Not a Portal envelope.");
        }

        var keyIdLength = start[Magic.Length];
        var rest = new byte[keyIdLength + NonceSize + DataKeySize + TagSize + PrefixSize + 4];
        if (await envelope.ReadAtLeastAsync(rest, rest.Length, throwOnEndOfStream: false, cancellationToken) < rest.Length)
        {
            throw new EnvelopeTamperedException("The envelope header is truncated.");
        }

        var header = new byte[start.Length + rest.Length];
        start.CopyTo(header, 0);
        rest.CopyTo(header, start.Length);

        var keyIdBytes = rest.AsSpan(0, keyIdLength).ToArray();
        var keyId = Encoding.ASCII.GetString(keyIdBytes);
        var master = keys.Find(keyId)
            ?? throw new EnvelopeTamperedException($"The envelope names master key '{keyId}', which this key ring does not hold.");

        var span = rest.AsSpan(keyIdLength);
        var dataKey = new byte[DataKeySize];
        try
        {
            using var wrap = new AesGcm(master.Key, TagSize);
            wrap.Decrypt(span[..NonceSize], span.Slice(NonceSize, DataKeySize), span.Slice(NonceSize + DataKeySize, TagSize), dataKey, WrapAssociatedData(keyIdBytes));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new EnvelopeTamperedException("The wrapped data key failed authentication.");
        }

        span = span[(NonceSize + DataKeySize + TagSize)..];
        var prefix = span[..PrefixSize].ToArray();
        var chunkSize = BinaryPrimitives.ReadInt32BigEndian(span[PrefixSize..]);
        if (chunkSize is < 1024 or > 16 * 1024 * 1024)
        {
            throw new EnvelopeTamperedException("The envelope declares an impossible chunk size.");
        }

        return (header, master, dataKey, prefix, chunkSize);
    }

    private static byte[] WrapAssociatedData(byte[] keyId) => [.. Magic, .. keyId];

    private static void MakeNonce(ReadOnlySpan<byte> prefix, uint index, Span<byte> nonce)
    {
        prefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[PrefixSize..], index);
    }
}
