using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Features.Accounts;

namespace PortalBench;

/// <summary>
/// Case evidence bundle (issue 6): a supervisor downloads the bundle of a case holding about
/// 1 GiB of evidence through the real Portal.Web. Measured: time to the first byte of the ZIP,
/// throughput against this machine's raw sequential read of the same encrypted files in the same
/// run, and the Portal.Web process's resident memory while it streams. Before the raw read and
/// before the download the files are flushed and dropped from the page cache
/// (posix_fadvise DONTNEED), so both read from the disk ("cold-ish": the disk's own cache stays).
/// </summary>
internal static partial class BundleBenchmark
{
    private const int MiB = 1024 * 1024;
    private const int Files = 4;
    private const string Password = "Bench-Password-2026";

    public static async Task<int> RunAsync(string portalDll, int megabytes)
    {
        var work = Directory.CreateTempSubdirectory("portal-bundle-bench-");
        var perFile = (long)megabytes * MiB / Files;
        Console.WriteLine($"# Evidence bundle benchmark, {Environment.ProcessorCount} cores, {Files} files of {perFile / MiB} MiB, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        try
        {
            var dataDirectory = Path.Combine(work.FullName, "portal");
            using var portal = PortalProcess.Start(portalDll, work.FullName, new Dictionary<string, string>
            {
                ["Evidence__MaxFileBytes"] = (perFile + MiB).ToString(CultureInfo.InvariantCulture),
                ["Evidence__MaxBytesPerCase"] = (4L * megabytes * MiB).ToString(CultureInfo.InvariantCulture),
                ["RateLimits__SignInPermits"] = "1000",
            });
            await portal.WaitReadyAsync();

            var small = await CaseWithFilesAsync(portal.Address, dataDirectory, 1, MiB);
            var large = await CaseWithFilesAsync(portal.Address, dataDirectory, Files, perFile);
            var staff = await SupervisorAsync(dataDirectory, portal.Address);

            // Warm-up: the download path's JIT and pools, on a small case.
            var warm = await DownloadAsync(staff, small, portal, sampleMemory: false);
            if (warm.Status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"The warm-up download answered {warm.Status}.");
            }

            var blobs = Directory.EnumerateFiles(Path.Combine(dataDirectory, "evidence"), "*.pev", SearchOption.AllDirectories)
                .Where(path => new FileInfo(path).Length > perFile / 2).ToList();
            var raw = RawRead(blobs);
            var pipeline = await DecryptOnlyAsync(dataDirectory, blobs);
            GC.Collect();
            await Task.Delay(500);
            Evict(blobs);
            var bundle = await DownloadAsync(staff, large, portal, sampleMemory: true);

            var rate = bundle.Bytes / bundle.Elapsed.TotalSeconds / MiB;
            var growth = (bundle.PeakResident - bundle.BaselineResident) / (double)MiB;
            Console.WriteLine();
            Console.WriteLine("| measurement | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| raw sequential read of the {blobs.Count} encrypted files, page cache dropped (1 MiB reads) | {raw.Rate:0} MiB/s ({raw.Bytes / (double)MiB:0} MiB in {raw.Elapsed.TotalSeconds:0.00} s) |");
            Console.WriteLine($"| the same files decrypted, hashed (SHA-256) and CRC'd in the benchmark process, no HTTP, warm cache | {pipeline.Rate:0} MiB/s ({pipeline.CpuPerGiB:0.00} s of CPU per GiB) |");
            Console.WriteLine($"| bundle download ({bundle.Status}, complete ZIP: {bundle.Complete}) | {rate:0} MiB/s ({bundle.Bytes / (double)MiB:0} MiB in {bundle.Elapsed.TotalSeconds:0.00} s) |");
            Console.WriteLine($"| bundle / raw | {rate / raw.Rate:P0} |");
            var gib = bundle.Bytes / (double)(1L << 30);
            Console.WriteLine($"| CPU time per GiB: Portal.Web user + kernel / benchmark client | {bundle.ServerUser.TotalSeconds / gib:0.00} + {bundle.ServerSystem.TotalSeconds / gib:0.00} s / {bundle.ClientCpu.TotalSeconds / gib:0.00} s |");
            Console.WriteLine($"| machine load average (1 min) during the run | {File.ReadAllText("/proc/loadavg").Split(' ')[0]} |");
            Console.WriteLine($"| time to first byte of the ZIP | {bundle.FirstByte.TotalMilliseconds:0} ms |");
            Console.WriteLine($"| Portal.Web resident memory before / peak | {bundle.BaselineResident / (double)MiB:0} / {bundle.PeakResident / (double)MiB:0} MiB |");
            Console.WriteLine($"| growth while streaming | {growth:0.0} MiB |");
            Console.WriteLine();
            var fast = rate >= 0.8 * raw.Rate;
            var prompt = bundle.FirstByte < TimeSpan.FromSeconds(1);
            var lean = growth < 64;
            Console.WriteLine($"targets: first byte < 1 s: {(prompt ? "met" : "NOT met")}; >= 80% of raw read: {(fast ? "met" : "NOT met")}; memory growth < 64 MiB: {(lean ? "met" : "NOT met")}");
            return fast && prompt && lean && bundle.Status == HttpStatusCode.OK && bundle.Complete ? 0 : 1;
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

    /// <summary>A victim files a report and uploads <paramref name="count"/> generated text files; returns the case id.</summary>
    private static async Task<Guid> CaseWithFilesAsync(Uri portal, string dataDirectory, int count, long size)
    {
        var session = await Session.OpenAsync(portal);
        (await session.SubmitAsync()).Must("file the report that the bundle needs");
        Guid caseId;
        await using (var services = Services(dataDirectory))
        await using (var scope = services.CreateAsyncScope())
        {
            // Reports are filed one at a time here, so the newest case is this one.
            caseId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases
                .OrderByDescending(c => c.CreatedAt).Select(c => c.Id).FirstAsync();
        }

        using var client = session.Client;
        for (var i = 0; i < count; i++)
        {
            var status = await UploadBenchmark.UploadAsync(client, await UploadBenchmark.TokenAsync(client), size, seed: (byte)(10 + i));
            (status == HttpStatusCode.Redirect).Must($"upload file {i} (answered {status})");
        }

        return caseId;
    }

    private static ServiceProvider Services(string dataDirectory)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPortalDbContext(DatabaseProvider.Sqlite, _ => new DatabaseOptions(), dataDirectory);
        services.AddIdentityCore<StaffUser>(o => o.Password.RequiredLength = 12).AddRoles<IdentityRole>().AddEntityFrameworkStores<PortalDbContext>();
        return services.BuildServiceProvider();
    }

    /// <summary>A supervisor with an authenticator, signed in (password and code) and then confirmed again (password and the next code).</summary>
    private static async Task<HttpClient> SupervisorAsync(string dataDirectory, Uri portal)
    {
        const string email = "supervisor@bench.test";
        byte[] secret;
        await using (var services = Services(dataDirectory))
        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = new StaffUser { UserName = email, Email = email, DisplayName = "Bench supervisor", EmailConfirmed = true };
            (await users.CreateAsync(user, Password)).Succeeded.Must("create the supervisor");
            (await users.AddToRoleAsync(user, StaffRoles.Supervisor)).Succeeded.Must("make them a supervisor");
            (await users.ResetAuthenticatorKeyAsync(user)).Succeeded.Must("give them an authenticator");
            (await users.SetTwoFactorEnabledAsync(user, true)).Succeeded.Must("enable two-factor sign-in");
            secret = Totp.FromBase32(await users.GetAuthenticatorKeyAsync(user) ?? "");
        }

        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = portal, Timeout = TimeSpan.FromMinutes(30) };
        // Each code is good once: sign in with the previous step's code, confirm with the current one.
        (await PostAsync(client, "/account/sign-in", new() { ["Email"] = email, ["Password"] = Password }) == HttpStatusCode.Redirect).Must("sign in (password)");
        (await PostAsync(client, "/account/sign-in/code", new() { ["Code"] = Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow) - 1) }) == HttpStatusCode.Redirect).Must("sign in (code)");
        (await PostAsync(client, "/account/confirm", new() { ["Password"] = Password, ["Code"] = Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow)) }) == HttpStatusCode.Redirect).Must("confirm the sign-in");
        return client;
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(path);
        var token = TokenField().Match(html);
        fields["__af"] = WebUtility.HtmlDecode(token.Groups[1].Success ? token.Groups[1].Value : token.Groups[2].Value);
        using var response = await client.PostAsync(path, new FormUrlEncodedContent(fields));
        return response.StatusCode;
    }

    private static async Task<Download> DownloadAsync(HttpClient staff, Guid caseId, PortalProcess portal, bool sampleMemory)
    {
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

        var serverCpu = portal.ProcessorTime();
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var response = await staff.GetAsync($"/staff/cases/{caseId}/bundle", HttpCompletionOption.ResponseHeadersRead);
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
        var serverAfter = portal.ProcessorTime();
        var serverUser = serverAfter.User - serverCpu.User;
        var serverSystem = serverAfter.System - serverCpu.System;
        clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpu;
        await sampling.CancelAsync();
        await sampler;
        var complete = tail.AsSpan(0, tailLength).LastIndexOf("PK\u0005\u0006"u8) >= 0;
        return new Download(response.StatusCode, total, firstByte ?? elapsed, elapsed, complete, baseline, peak, serverUser, serverSystem, clientCpu);
    }

    /// <summary>What the bundle's per-file work costs without HTTP: decrypt (AES-GCM), SHA-256 and CRC-32, on one thread.</summary>
    private static async Task<(double Rate, double CpuPerGiB)> DecryptOnlyAsync(string dataDirectory, List<string> blobs)
    {
        var keys = KeyRing.Load(new KeyRingOptions { Directory = Path.Combine(dataDirectory, "keys") }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var cipher = new EnvelopeCipher(keys);
        long total = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var path in blobs)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, MiB, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var sink = new CrcSink();
            total += (await cipher.DecryptAsync(file, sink)).Length;
        }

        var rate = total / clock.Elapsed.TotalSeconds / MiB;
        return (rate, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / (total / (double)(1L << 30)));
    }

    private sealed class CrcSink : Stream
    {
        private readonly System.IO.Hashing.Crc32 crc = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get; set; }

        public override void Write(byte[] buffer, int offset, int count) => crc.Append(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            crc.Append(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>The baseline: the same encrypted files read front to back with 1 MiB reads, after dropping them from the page cache.</summary>
    private static (double Rate, long Bytes, TimeSpan Elapsed) RawRead(List<string> blobs)
    {
        Evict(blobs);
        var buffer = new byte[MiB];
        long total = 0;
        var clock = Stopwatch.StartNew();
        foreach (var path in blobs)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
            int read;
            while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                total += read;
            }
        }

        var elapsed = clock.Elapsed;
        return (total / elapsed.TotalSeconds / MiB, total, elapsed);
    }

    /// <summary>Writes the files' dirty pages out and asks the kernel to drop them from the page cache.</summary>
    private static void Evict(List<string> blobs)
    {
        foreach (var path in blobs)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            file.Flush(flushToDisk: true);
            var result = PosixFadvise((int)file.SafeFileHandle.DangerousGetHandle(), 0, 0, PosixFadviseDontNeed);
            if (result != 0)
            {
                Console.Error.WriteLine($"posix_fadvise failed ({result}): the raw read may come from the page cache");
            }
        }
    }

    private const int PosixFadviseDontNeed = 4;

    [DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int PosixFadvise(int fd, long offset, long length, int advice);

    [GeneratedRegex("name=\"__af\" type=\"hidden\" value=\"([^\"]+)\"|name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private sealed record Download(HttpStatusCode Status, long Bytes, TimeSpan FirstByte, TimeSpan Elapsed, bool Complete, long BaselineResident, long PeakResident, TimeSpan ServerUser, TimeSpan ServerSystem, TimeSpan ClientCpu);
}
