using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Portal.Core.Features.Evidence;
using Portal.Web.Security;

namespace PortalBench;

/// <summary>
/// Evidence upload (issue 3): one large file through the full path (multipart streaming,
/// antiforgery, magic-byte check, AES-256-GCM, SHA-256, write and fsync) compared with this
/// machine's raw sequential write speed, measured in the same run on the same file system
/// (1 MiB writes then fsync, through the page cache; and direct, for reference); and the
/// Portal.Web process's resident memory and CPU while it streams.
/// </summary>
internal static partial class UploadBenchmark
{
    private const int Chunk = 1024 * 1024;

    public static async Task<int> RunAsync(string portalDll, int megabytes)
    {
        var size = (long)megabytes * Chunk;
        var work = Directory.CreateTempSubdirectory("portal-upload-bench-");
        Console.WriteLine($"# Evidence upload benchmark, {Environment.ProcessorCount} cores, {megabytes} MiB, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        try
        {
            var raw = RawWrite(Path.Combine(work.FullName, "raw.bin"), size);
            var rawDirect = await RawDirectWriteAsync(Path.Combine(work.FullName, "raw-direct.bin"), size);
            var transport = await TransportOnlyAsync(size, portalBuffers: false);
            var transportPortalBuffers = await TransportOnlyAsync(size, portalBuffers: true);
            var (sha256, aesGcm) = CryptoAlone(size);

            using var portal = PortalProcess.Start(portalDll, work.FullName, new Dictionary<string, string>
            {
                ["Evidence__MaxFileBytes"] = (size + Chunk).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Evidence__MaxBytesPerCase"] = (4 * size).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            await portal.WaitReadyAsync();
            var session = await Session.OpenAsync(portal.Address);
            if (!await session.SubmitAsync())
            {
                throw new InvalidOperationException("Could not file the report that the upload needs.");
            }

            using var client = session.Client;
            var token = await TokenAsync(client);

            // Warm up the upload path until tiered compilation has settled, as in a server that
            // has been running: a few uploads, each new file, then a pause for the background JIT.
            for (byte seed = 10; seed < 18; seed++)
            {
                await UploadAsync(client, token, 64L * Chunk, seed);
                await Task.Delay(300);
            }

            GC.Collect();
            await Task.Delay(3000);

            var baseline = portal.ResidentBytes();
            var peak = baseline;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, portal.ResidentBytes());
                    await Task.Delay(20);
                }
            });

            var portalCpuBefore = portal.ProcessorTime();
            var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var status = await UploadAsync(client, token, size, seed: 2);
            var elapsed = clock.Elapsed;
            var portalCpuAfter = portal.ProcessorTime();
            var benchCpu = Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore;
            await sampling.CancelAsync();
            await sampler;

            var uploadRate = size / elapsed.TotalSeconds / Chunk;
            var growth = (peak - baseline) / (double)Chunk;
            Console.WriteLine();
            Console.WriteLine("| measurement | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| raw sequential write, through the page cache (1 MiB writes + fsync, as `dd conv=fsync`) | {raw:0} MiB/s |");
            Console.WriteLine($"| raw sequential write, direct (the portal's block writer, as `dd oflag=direct`) | {rawDirect:0} MiB/s |");
            Console.WriteLine($"| the same upload drained by a bare Kestrel endpoint, default buffers (HTTP over loopback, no work) | {transport:0} MiB/s |");
            Console.WriteLine($"| the same, with the portal's 64 KiB buffers | {transportPortalBuffers:0} MiB/s |");
            Console.WriteLine($"| SHA-256 alone, one core, in memory (every uploaded byte is hashed: a ceiling for the upload) | {sha256:0} MiB/s ({sha256 / raw:P0} of the page-cache write) |");
            Console.WriteLine($"| AES-256-GCM alone, one core, in memory, 64 KiB chunks | {aesGcm:0} MiB/s |");
            Console.WriteLine($"| upload through Portal.Web ({status}) | {uploadRate:0} MiB/s in {elapsed.TotalSeconds:0.0} s |");
            Console.WriteLine($"| upload / raw write through the page cache (the target) | {uploadRate / raw:P0} |");
            Console.WriteLine($"| upload / raw direct write | {uploadRate / rawDirect:P0} |");
            Console.WriteLine($"| Portal.Web resident memory before / peak | {baseline / (double)Chunk:0} / {peak / (double)Chunk:0} MiB |");
            Console.WriteLine($"| growth during the upload | {growth:0.0} MiB |");
            Console.WriteLine($"| CPU during the upload: Portal.Web user / system, the sending client | {(portalCpuAfter.User - portalCpuBefore.User).TotalSeconds:0.00} / {(portalCpuAfter.System - portalCpuBefore.System).TotalSeconds:0.00} s, {benchCpu.TotalSeconds:0.00} s |");
            Console.WriteLine();
            var met = status == HttpStatusCode.Redirect && uploadRate >= 0.8 * raw && growth < 64;
            Console.WriteLine($"targets: >= 80% of raw write: {(uploadRate >= 0.8 * raw ? "met" : "NOT met")}; memory growth < 64 MiB: {(growth < 64 ? "met" : "NOT met")}");
            return met ? 0 : 1;
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

    /// <summary>What HTTP alone costs on this machine: the client and a server that only reads the body.</summary>
    private static async Task<double> TransportOnlyAsync(long size, bool portalBuffers)
    {
        var port = PortalProcess.FreePort();
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        if (portalBuffers)
        {
            builder.Services.AddSingleton<IMemoryPoolFactory<byte>, ServerMemoryPoolFactory>();
        }
        await using var app = builder.Build();
        app.MapPost("/drain", async (HttpRequest request) =>
        {
            var buffer = new byte[256 * 1024];
            while (await request.Body.ReadAsync(buffer) > 0)
            {
            }

            return Results.Ok();
        });
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(30) };
        using (var warm = new GeneratedUpload("x", 16L * Chunk, 4))
        {
            using var warmed = await client.PostAsync("/drain", warm);
        }

        var clock = Stopwatch.StartNew();
        using var content = new GeneratedUpload("x", size, 5);
        using var response = await client.PostAsync("/drain", content);
        var rate = size / clock.Elapsed.TotalSeconds / Chunk;
        await app.StopAsync();
        return rate;
    }

    /// <summary>
    /// What the upload's two passes over every byte cost on one core, without I/O or HTTP: the
    /// SHA-256 of the plaintext and the AES-GCM encryption, each on the same amount of data.
    /// </summary>
    private static (double Sha256, double AesGcm) CryptoAlone(long size)
    {
        var buffer = Filler(5);
        var clock = Stopwatch.StartNew();
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            for (long done = 0; done < size; done += buffer.Length)
            {
                sha.AppendData(buffer, 0, (int)Math.Min(buffer.Length, size - done));
            }

            sha.GetHashAndReset();
        }

        var sha256 = size / clock.Elapsed.TotalSeconds / Chunk;
        var output = new byte[64 * 1024];
        var tag = new byte[16];
        var nonce = new byte[12];
        clock.Restart();
        using (var aes = new AesGcm(RandomNumberGenerator.GetBytes(32), tag.Length))
        {
            for (long done = 0; done < size; done += output.Length)
            {
                BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), done);
                aes.Encrypt(nonce, buffer.AsSpan((int)(done % buffer.Length), output.Length), output, tag);
            }
        }

        return (sha256, size / clock.Elapsed.TotalSeconds / Chunk);
    }

    private static double RawWrite(string path, long size)
    {
        var buffer = Filler(3);
        var clock = Stopwatch.StartNew();
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
        {
            for (long written = 0; written < size; written += buffer.Length)
            {
                file.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
            }

            file.Flush(flushToDisk: true);
        }

        var rate = size / clock.Elapsed.TotalSeconds / Chunk;
        File.Delete(path);
        return rate;
    }

    /// <summary>The fastest way this machine writes a file: the portal's direct block writer, no HTTP, no crypto.</summary>
    private static async Task<double> RawDirectWriteAsync(string path, long size)
    {
        var buffer = Filler(3);
        var clock = Stopwatch.StartNew();
        await using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 }))
        await using (var writer = new SequentialFileWriter(file))
        {
            if (!writer.IsDirect)
            {
                Console.Error.WriteLine("direct I/O is not available here: the direct figure goes through the page cache");
            }

            for (long written = 0; written < size; written += buffer.Length)
            {
                await writer.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)));
            }

            await writer.CompleteAsync(CancellationToken.None);
        }

        var rate = size / clock.Elapsed.TotalSeconds / Chunk;
        File.Delete(path);
        return rate;
    }

    internal static async Task<string> TokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/status/evidence");
        var match = UploadToken().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("No upload token on /status/evidence.");
    }

    /// <summary>Posts a generated text file to the evidence page, or to <paramref name="path"/> (the victim's documents take the same form).</summary>
    internal static async Task<HttpStatusCode> UploadAsync(HttpClient client, string token, long size, byte seed, string path = "/status/evidence")
    {
        using var content = new GeneratedUpload(token, size, seed);
        using var response = await client.PostAsync(path, content);
        return response.StatusCode;
    }

    /// <summary>A page of printable text lines (so the file is detected as text), varied by seed.</summary>
    private static byte[] Filler(byte seed)
    {
        var buffer = new byte[Chunk];
        var random = new Random(seed);
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (i % 100) == 99 ? (byte)'\n' : (byte)random.Next(0x21, 0x7E);
        }

        return buffer;
    }

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex UploadToken();

    /// <summary>A multipart body written on the fly, as a browser streams a file from disk.</summary>
    private sealed class GeneratedUpload : HttpContent
    {
        private const string Boundary = "----portal-bench";
        private readonly byte[] head;
        private readonly byte[] tail = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");
        private readonly long size;
        private readonly byte[] filler;

        public GeneratedUpload(string token, long size, byte seed)
        {
            this.size = size;
            filler = Filler(seed);
            head = Encoding.ASCII.GetBytes(
                $"--{Boundary}\r\nContent-Disposition: form-data; name=\"__af\"\r\n\r\n{token}\r\n" +
                $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench-{seed}.txt\"\r\nContent-Type: text/plain\r\n\r\n");
            Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={Boundary}");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(head);
            for (long written = 0; written < size; written += filler.Length)
            {
                await stream.WriteAsync(filler.AsMemory(0, (int)Math.Min(filler.Length, size - written)));
            }

            await stream.WriteAsync(tail);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = head.Length + size + tail.Length;
            return true;
        }
    }
}
