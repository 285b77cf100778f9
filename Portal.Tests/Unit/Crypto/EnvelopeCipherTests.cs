using System.Security.Cryptography;
using System.Text;
using Portal.Core.Crypto;

namespace Portal.Tests.Unit.Crypto;

public sealed class EnvelopeCipherTests
{
    private static readonly MasterKey KeyA = new("a2026", RandomNumberGenerator.GetBytes(32));
    private static readonly MasterKey KeyB = new("b2027", RandomNumberGenerator.GetBytes(32));
    private readonly EnvelopeCipher cipher = new(Ring(KeyA));

    private static KeyRing Ring(MasterKey current, params MasterKey[] others) =>
        KeyRing.FromKeys([current, .. others], current.Id, new Dictionary<string, byte[]>());

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(EnvelopeCipher.DefaultChunkSize - 1)]
    [InlineData(EnvelopeCipher.DefaultChunkSize)]
    [InlineData(EnvelopeCipher.DefaultChunkSize + 1)]
    [InlineData((3 * EnvelopeCipher.DefaultChunkSize) + 5)]
    public async Task EncryptThenDecrypt_ReturnsThePlaintext_AndItsSha256(int size)
    {
        var plaintext = RandomNumberGenerator.GetBytes(size);
        using var envelope = new MemoryStream();

        var written = await cipher.EncryptAsync(new MemoryStream(plaintext), envelope);
        envelope.Position = 0;
        using var output = new MemoryStream();
        var read = await cipher.DecryptAsync(envelope, output);

        Assert.Equal(plaintext, output.ToArray());
        Assert.Equal(SHA256.HashData(plaintext), written.Sha256);
        Assert.Equal(written.Sha256, read.Sha256);
        Assert.Equal(size, written.Length);
        Assert.Equal(KeyA.Id, written.KeyId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData((16 * EnvelopeCipher.DefaultChunkSize) - 1)]
    [InlineData(16 * EnvelopeCipher.DefaultChunkSize)]
    [InlineData((16 * EnvelopeCipher.DefaultChunkSize) + 1)]
    [InlineData((40 * EnvelopeCipher.DefaultChunkSize) + 3)]
    [InlineData(48 * EnvelopeCipher.DefaultChunkSize)]
    public async Task EncryptFromAnUploadInUnevenReads_GivesTheSameLayout_AndTheSameHash(int size)
    {
        // An upload is not seekable and arrives in pieces; a memory stream is read in one batch.
        var plaintext = RandomNumberGenerator.GetBytes(size);
        using var streamed = new MemoryStream();

        var written = await cipher.EncryptAsync(new TrickleStream(plaintext, maxRead: 7000), streamed);
        var whole = await EncryptAsync(plaintext);
        streamed.Position = 0;
        using var output = new MemoryStream();
        await cipher.DecryptAsync(streamed, output);

        // Same length means the same records: full chunks, then one short or empty final chunk.
        Assert.Equal(whole.Length, streamed.Length);
        Assert.Equal(plaintext, output.ToArray());
        Assert.Equal(SHA256.HashData(plaintext), written.Sha256);
        Assert.Equal(size, written.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(EnvelopeCipher.DefaultChunkSize - 1)]
    [InlineData(EnvelopeCipher.DefaultChunkSize)]
    [InlineData((2 * EnvelopeCipher.DefaultChunkSize) + 1)]
    public async Task Seal_GivesTheStreamsLayout_ThatDecryptsToThePlaintext_AndDetectsAFlippedByte(int size)
    {
        // Fields shorter than a chunk are sealed in one pass, longer ones by the stream: the same envelope either way.
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var sealedBytes = cipher.Seal(plaintext);
        using var output = new MemoryStream();
        var read = await cipher.DecryptAsync(new MemoryStream(sealedBytes), output);

        Assert.Equal((await EncryptAsync(plaintext)).Length, sealedBytes.Length);
        Assert.Equal(plaintext, cipher.Open(sealedBytes));
        Assert.Equal(plaintext, output.ToArray());
        Assert.Equal(SHA256.HashData(plaintext), read.Sha256);
        Assert.Equal(KeyA.Id, read.KeyId);
        var flipped = sealedBytes.ToArray();
        flipped[^1] ^= 1;
        Assert.Throws<EnvelopeTamperedException>(() => cipher.Open(flipped));
    }

    [Fact]
    public void Seal_SameTextTwice_GivesDifferentEnvelopes_WithoutThePlaintext()
    {
        var first = cipher.SealString("my therapist's notes");
        var second = cipher.SealString("my therapist's notes");

        Assert.NotEqual(first, second);
        Assert.Equal(-1, first.AsSpan().IndexOf("therapist"u8));
        Assert.Equal("my therapist's notes", cipher.OpenString(first));
    }

    [Fact]
    public async Task FlippingAnyByte_IsDetected()
    {
        var envelope = await EncryptAsync(RandomNumberGenerator.GetBytes((2 * EnvelopeCipher.DefaultChunkSize) + 100));

        // Every header byte, then a sample of bytes across the chunks and their tags.
        var positions = Enumerable.Range(0, 90).Concat(Enumerable.Range(0, 200).Select(i => 90 + (int)((long)i * (envelope.Length - 91) / 199)));
        foreach (var position in positions.Distinct())
        {
            var tampered = (byte[])envelope.Clone();
            tampered[position] ^= 0x01;
            await Assert.ThrowsAsync<EnvelopeTamperedException>(() => cipher.VerifyAsync(new MemoryStream(tampered)));
        }
    }

    [Fact]
    public async Task DroppingTheFinalChunk_IsDetectedAsTruncation()
    {
        // Two full chunks and an empty final chunk: cutting the final chunk leaves a valid-looking prefix.
        var envelope = await EncryptAsync(RandomNumberGenerator.GetBytes(2 * EnvelopeCipher.DefaultChunkSize));
        var withoutFinal = envelope[..^16];
        var oneChunkShort = envelope[..^(16 + EnvelopeCipher.DefaultChunkSize + 16)];

        await Assert.ThrowsAsync<EnvelopeTamperedException>(() => cipher.VerifyAsync(new MemoryStream(withoutFinal)));
        await Assert.ThrowsAsync<EnvelopeTamperedException>(() => cipher.VerifyAsync(new MemoryStream(oneChunkShort)));
        await Assert.ThrowsAsync<EnvelopeTamperedException>(() => cipher.VerifyAsync(new MemoryStream(envelope[..^1])));
    }

    [Fact]
    public async Task SwappingChunks_IsDetected()
    {
        var chunk = EnvelopeCipher.DefaultChunkSize + 16;
        var envelope = await EncryptAsync(RandomNumberGenerator.GetBytes((2 * EnvelopeCipher.DefaultChunkSize) + 10));
        var headerLength = envelope.Length - (2 * chunk) - 10 - 16;
        var swapped = (byte[])envelope.Clone();
        envelope.AsSpan(headerLength, chunk).CopyTo(swapped.AsSpan(headerLength + chunk));
        envelope.AsSpan(headerLength + chunk, chunk).CopyTo(swapped.AsSpan(headerLength));

        await Assert.ThrowsAsync<EnvelopeTamperedException>(() => cipher.VerifyAsync(new MemoryStream(swapped)));
    }

    [Fact]
    public async Task AfterRotation_OldEnvelopesOpen_AndNewOnesUseTheNewKey()
    {
        var old = await EncryptAsync(Encoding.UTF8.GetBytes("before rotation"));
        var rotated = new EnvelopeCipher(Ring(KeyB, KeyA));

        using var output = new MemoryStream();
        var opened = await rotated.DecryptAsync(new MemoryStream(old), output);
        var fresh = await rotated.EncryptAsync(new MemoryStream("after"u8.ToArray()), new MemoryStream());

        Assert.Equal("before rotation", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(KeyA.Id, opened.KeyId);
        Assert.Equal(KeyB.Id, fresh.KeyId);
    }

    [Fact]
    public async Task WithoutTheMasterKey_NothingOpens()
    {
        var envelope = await EncryptAsync("secret"u8.ToArray());
        var stranger = new EnvelopeCipher(Ring(new MasterKey(KeyA.Id, RandomNumberGenerator.GetBytes(32))));
        var unrelated = new EnvelopeCipher(Ring(KeyB));

        Assert.Throws<EnvelopeTamperedException>(() => stranger.Open(envelope));
        Assert.Throws<EnvelopeTamperedException>(() => unrelated.Open(envelope));
        Assert.Throws<EnvelopeTamperedException>(() => cipher.Open("not an envelope"u8.ToArray()));
    }

    [Fact]
    public async Task Encrypt_SourceFailsMidway_PassesTheErrorOn()
    {
        var source = new FailingStream(RandomNumberGenerator.GetBytes(3 * EnvelopeCipher.DefaultChunkSize), failAfter: (2 * EnvelopeCipher.DefaultChunkSize) + 10);

        var error = await Assert.ThrowsAsync<IOException>(() => cipher.EncryptAsync(source, new MemoryStream()));

        Assert.Equal("connection lost", error.Message);
    }

    /// <summary>A network-like source: not seekable, and never more than a few KiB per read.</summary>
    private sealed class TrickleStream(byte[] data, int maxRead) : Stream
    {
        private int position;

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
            var length = Math.Min(Math.Min(count, maxRead), data.Length - position);
            data.AsSpan(position, length).CopyTo(buffer.AsSpan(offset));
            position += length;
            return length;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var length = Math.Min(Math.Min(buffer.Length, maxRead), data.Length - position);
            data.AsSpan(position, length).CopyTo(buffer.Span);
            position += length;
            return ValueTask.FromResult(length);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class FailingStream(byte[] data, int failAfter) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position >= failAfter ? throw new IOException("connection lost") : base.ReadAsync(buffer[..Math.Min(buffer.Length, failAfter - (int)Position)], cancellationToken);
    }

    private async Task<byte[]> EncryptAsync(byte[] plaintext)
    {
        using var envelope = new MemoryStream();
        await cipher.EncryptAsync(new MemoryStream(plaintext), envelope);
        return envelope.ToArray();
    }
}
