using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Portal.Tests.Support;
using Xunit.Abstractions;

namespace Portal.Tests.Integration.CaseFile;

/// <summary>A portal that takes a case of 200 MB (eight files of 24 MiB) and checks whole files before streaming only up to 1 MiB, as a large case is.</summary>
public sealed class LargeCaseFileFactory : SqlitePortalFactory
{
    public const long FileBytes = 24L * 1024 * 1024;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Evidence:MaxFileBytes", FileBytes.ToString(CultureInfo.InvariantCulture)),
        new("Evidence:MaxBytesPerCase", (10 * FileBytes).ToString(CultureInfo.InvariantCulture)),
        new("CaseFile:VerifyBeforeStreamingBytes", (1024 * 1024).ToString(CultureInfo.InvariantCulture)),
    ];
}

/// <summary>
/// The case file of a case with 200 MB of evidence and documents streams: its first bytes come
/// long before the last file is read, and the portal's live heap never holds more than a few
/// buffers of it, however much has gone out.
/// </summary>
public sealed class CaseFileStreamingTests(LargeCaseFileFactory factory, ITestOutputHelper output) : IClassFixture<LargeCaseFileFactory>
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task CaseFile_Of200MB_StartsAtOnce_AndStreamsWithoutHoldingAFileInMemory()
    {
        var (victim, filed) = await CaseFileSteps.FileAsync(factory);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var content = new byte[LargeCaseFileFactory.FileBytes];
        for (var i = 0; i < 8; i++)
        {
            // Plain text, different in every file (identical files are stored once).
            Fill(content, i);
            var name = $"file-{i}.txt";
            var evidence = i < 4;
            using var uploaded = evidence
                ? await EvidenceUploads.UploadAsync(victim, EvidenceUploads.Token(await EvidenceUploads.PageAsync(victim)), name, "text/plain", content)
                : await CaseFileSteps.UploadDocumentAsync(victim, name, "text/plain", content);
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
            // Numbered in the order received; the test clock stands still, so that order is not known here.
            expected[Convert.ToHexStringLower(SHA256.HashData(content))] = $@"  {(evidence ? "evidence" : "documents")}/0[1-4]-{name}\n";
        }

        content = [];
        var baseline = LiveHeap();
        var page = await victim.GetPageAsync("/status/case-file");
        var fields = HtmlForms.DefaultValues(page.Form("/status/case-file"));
        fields["receiptKey"] = filed.ReceiptKey;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/status/case-file") { Content = new FormUrlEncodedContent(fields) };

        var clock = Stopwatch.StartNew();
        using var response = await victim.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[MiB];
        var zip = new ZipReading();
        TimeSpan? firstByte = null;
        long total = 0;
        long nextSample = 16L * MiB;
        long peak = baseline;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            firstByte ??= clock.Elapsed;
            total += read;
            zip.Append(buffer.AsSpan(0, read));
            if (total >= nextSample)
            {
                // What the process still holds after a full collection: a file kept whole
                // anywhere on the way (handler, ZIP writer, response) would show here.
                peak = Math.Max(peak, LiveHeap());
                nextSample += 16L * MiB;
            }
        }

        var elapsed = clock.Elapsed;
        var growth = (peak - baseline) / (double)MiB;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"case file of {total / (double)MiB:0} MiB: first byte after {firstByte?.TotalMilliseconds:0} ms, whole in {elapsed.TotalSeconds:0.00} s; live heap {baseline / (double)MiB:0} MiB before, {peak / (double)MiB:0} MiB at most while streaming (+{growth:0.0} MiB); process working set {Environment.WorkingSet / (double)MiB:0} MiB"));

        Assert.True(total > 8 * LargeCaseFileFactory.FileBytes, $"{total} bytes");
        Assert.True(growth < 24, $"the live heap grew by {growth:0.0} MiB while {total / MiB} MiB streamed");
        Assert.True(firstByte < elapsed / 4, $"the first byte came after {firstByte?.TotalMilliseconds:0} ms of {elapsed.TotalMilliseconds:0} ms");

        // And what came is the whole case file: every file with the hash SHA256SUMS gives it.
        var sums = zip.Checksums();
        foreach (var (hash, entry) in expected)
        {
            Assert.Matches(hash + entry.Replace(".", @"\.", StringComparison.Ordinal), sums);
        }

        Assert.Contains($"  case-file-{filed.Reference}.pdf\n", sums, StringComparison.Ordinal);
    }

    private static long LiveHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static void Fill(byte[] content, int seed)
    {
        var line = Encoding.ASCII.GetBytes($"Receipt line of file {seed}: taxi 23.40 EUR, therapy 85.00 EUR, sick day.\n");
        for (var offset = 0; offset < content.Length; offset += line.Length)
        {
            line.AsSpan(0, Math.Min(line.Length, content.Length - offset)).CopyTo(content.AsSpan(offset));
        }
    }

    /// <summary>Keeps only the archive's tail, where SHA256SUMS (the last entry, stored) and the central directory sit.</summary>
    private sealed class ZipReading
    {
        private readonly byte[] tail = new byte[256 * 1024];
        private int length;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length >= tail.Length)
            {
                bytes[^tail.Length..].CopyTo(tail);
                length = tail.Length;
                return;
            }

            var keep = Math.Min(length, tail.Length - bytes.Length);
            tail.AsSpan(length - keep, keep).CopyTo(tail);
            bytes.CopyTo(tail.AsSpan(keep));
            length = keep + bytes.Length;
        }

        /// <summary>The text of the SHA256SUMS entry: from the first hash line after its local header's name to the central directory.</summary>
        public string Checksums()
        {
            var text = Encoding.ASCII.GetString(tail, 0, length);
            var start = text.LastIndexOf("SHA256SUMS", text.LastIndexOf("PK\u0001\u0002", StringComparison.Ordinal) is var central and >= 0 ? central : text.Length, StringComparison.Ordinal);
            Assert.True(start >= 0, "no SHA256SUMS entry at the end of the archive");
            var end = text.IndexOf("PK\u0001\u0002", start, StringComparison.Ordinal);
            return text[(start + "SHA256SUMS".Length)..end];
        }
    }
}
