using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PortalBench;

/// <summary>
/// The victim's case file (issue 18): a victim whose case holds about 200 MB of evidence and
/// documents (four files of each) downloads their case file through the real Portal.Web
/// (Production, SQLite), typing the receipt key again. Measured: time to the first byte of the
/// ZIP, the whole download, and the Portal.Web process's resident memory while it streams.
/// Targets: first byte within 1 s, memory growth under 64 MiB.
/// </summary>
internal static partial class CaseFileBenchmark
{
    private const int MiB = 1024 * 1024;
    private const int FilesOfEachKind = 4;

    public static async Task<int> RunAsync(string portalDll, int megabytes)
    {
        var work = Directory.CreateTempSubdirectory("portal-case-file-bench-");
        var perFile = megabytes * 1_000_000L / (2 * FilesOfEachKind);
        Console.WriteLine($"# Case file benchmark, {Environment.ProcessorCount} cores, {FilesOfEachKind} evidence files and {FilesOfEachKind} documents of {perFile / (double)MiB:0.0} MiB, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        try
        {
            using var portal = PortalProcess.Start(portalDll, work.FullName, new Dictionary<string, string>
            {
                ["Evidence__MaxFileBytes"] = (perFile + MiB).ToString(CultureInfo.InvariantCulture),
                ["Evidence__MaxBytesPerCase"] = (4L * megabytes * 1_000_000L).ToString(CultureInfo.InvariantCulture),
                ["RateLimits__ReceiptLookupPermits"] = "1000",
            });
            await portal.WaitReadyAsync();

            var small = await CaseWithFilesAsync(portal.Address, 1, MiB);
            var large = await CaseWithFilesAsync(portal.Address, FilesOfEachKind, perFile);

            // Warm-up: the download path's JIT and pools, and the fonts, on a small case.
            var warm = await DownloadAsync(small, portal, sampleMemory: false);
            (warm.Status == HttpStatusCode.OK && warm.Complete).Must($"download the warm-up case file (answered {warm.Status})");
            GC.Collect();
            await Task.Delay(500);

            var download = await DownloadAsync(large, portal, sampleMemory: true);
            var growth = (download.PeakResident - download.BaselineResident) / (double)MiB;
            Console.WriteLine();
            Console.WriteLine("| measurement | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| case file download ({download.Status}, complete ZIP: {download.Complete}) | {download.Bytes / (double)MiB:0} MiB in {download.Elapsed.TotalSeconds:0.00} s ({download.Bytes / download.Elapsed.TotalSeconds / MiB:0} MiB/s) |");
            Console.WriteLine($"| time to first byte of the ZIP (after the receipt key check) | {download.FirstByte.TotalMilliseconds:0} ms |");
            Console.WriteLine($"| Portal.Web resident memory before / peak | {download.BaselineResident / (double)MiB:0} / {download.PeakResident / (double)MiB:0} MiB |");
            Console.WriteLine($"| growth while streaming | {growth:0.0} MiB |");
            Console.WriteLine($"| machine load average (1 min) during the run | {File.ReadAllText("/proc/loadavg").Split(' ')[0]} |");
            Console.WriteLine();
            var prompt = download.FirstByte < TimeSpan.FromSeconds(1);
            var lean = growth < 64;
            Console.WriteLine($"targets: first byte < 1 s: {(prompt ? "met" : "NOT met")}; memory growth < 64 MiB: {(lean ? "met" : "NOT met")}");
            return prompt && lean && download.Status == HttpStatusCode.OK && download.Complete ? 0 : 1;
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Temp files; the OS cleans them.
            }
        }
    }

    private sealed record Victim(HttpClient Client, string ReceiptKey);

    /// <summary>A victim files a report, uploads <paramref name="count"/> generated evidence files and as many documents.</summary>
    private static async Task<Victim> CaseWithFilesAsync(Uri portal, int count, long size)
    {
        var session = await Session.OpenAsync(portal);
        var key = await session.SubmitForReceiptKeyAsync();
        var client = session.Client;
        var token = await UploadBenchmark.TokenAsync(client);
        for (var i = 0; i < count; i++)
        {
            var evidence = await UploadBenchmark.UploadAsync(client, token, size, seed: (byte)(20 + i));
            (evidence == HttpStatusCode.Redirect).Must($"upload evidence file {i} (answered {evidence})");
            var document = await UploadBenchmark.UploadAsync(client, token, size, seed: (byte)(40 + i), "/status/documents");
            (document == HttpStatusCode.Redirect).Must($"upload document {i} (answered {document})");
        }

        return new Victim(client, key);
    }

    private static async Task<Download> DownloadAsync(Victim victim, PortalProcess portal, bool sampleMemory)
    {
        var page = await victim.Client.GetStringAsync("/status/case-file");
        var token = TokenField().Match(page);
        token.Success.Must("find the case file form's token");
        var fields = new Dictionary<string, string>
        {
            ["__af"] = WebUtility.HtmlDecode(token.Groups[1].Success ? token.Groups[1].Value : token.Groups[2].Value),
            ["receiptKey"] = victim.ReceiptKey,
        };

        var baseline = portal.ResidentBytes();
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (sampleMemory && !sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, portal.ResidentBytes());
                await Task.Delay(20);
            }
        });

        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/status/case-file") { Content = new FormUrlEncodedContent(fields) };
        using var response = await victim.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[MiB];
        var tail = new byte[64 * 1024];
        var tailLength = 0;
        long total = 0;
        TimeSpan? firstByte = null;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            firstByte ??= clock.Elapsed;
            total += read;
            // Keep the last bytes: a complete ZIP ends with its end-of-central-directory record.
            var keep = Math.Min(read, tail.Length);
            var shift = Math.Min(tailLength, tail.Length - keep);
            Buffer.BlockCopy(tail, tailLength - shift, tail, 0, shift);
            Buffer.BlockCopy(buffer, read - keep, tail, shift, keep);
            tailLength = shift + keep;
        }

        var elapsed = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;
        var ending = Encoding.ASCII.GetString(tail, 0, tailLength);
        var complete = ending.Contains("PK\u0005\u0006", StringComparison.Ordinal) && ending.Contains("SHA256SUMS", StringComparison.Ordinal);
        return new Download(response.StatusCode, total, firstByte ?? elapsed, elapsed, complete, baseline, peak);
    }

    [GeneratedRegex("name=\"__af\" type=\"hidden\" value=\"([^\"]+)\"|name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private sealed record Download(HttpStatusCode Status, long Bytes, TimeSpan FirstByte, TimeSpan Elapsed, bool Complete, long BaselineResident, long PeakResident);
}
