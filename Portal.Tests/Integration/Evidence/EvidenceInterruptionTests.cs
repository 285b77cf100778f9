using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Tests.Support;
using Portal.Web.Security;

namespace Portal.Tests.Integration.Evidence;

/// <summary>The portal on a real socket, so a client can really drop the connection mid-upload.</summary>
public sealed class KestrelSqliteFactory : SqlitePortalFactory
{
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Security:HttpsCookies", "false")];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Address = StartOnKestrel();
    }
}

public sealed class EvidenceInterruptionTests(KestrelSqliteFactory factory) : IClassFixture<KestrelSqliteFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Upload_ClientDropsConnectionMidway_LeavesNoRowNoPlaintextAndNoTemporaryFile()
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = factory.Address };
        var form = await client.GetPageAsync("/report");
        using (var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var token = EvidenceUploads.Token(await EvidenceUploads.PageAsync(client));
        var rowsBefore = await CountRowsAsync();
        var earlier = TemporaryFiles();
        var canary = "DROPPED-" + Guid.NewGuid().ToString("N");
        var boundary = "----dropped";
        var head = $"--{boundary}\r\nContent-Disposition: form-data; name=\"__af\"\r\n\r\n{token}\r\n"
            + $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"long.eml\"\r\nContent-Type: message/rfc822\r\n\r\n"
            + EvidenceUploads.SampleEmail(canary);
        var declaredLength = Encoding.UTF8.GetByteCount(head) + (4 * 1024 * 1024);

        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(factory.Address.Host, factory.Address.Port);
            var stream = socket.GetStream();
            var request = $"POST /status/evidence HTTP/1.1\r\nHost: {factory.Address.Authority}\r\n"
                + $"Cookie: {cookies.GetCookieHeader(factory.Address)}\r\n"
                + $"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {declaredLength}\r\n\r\n" + head;
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
            await stream.WriteAsync(new byte[1024 * 1024].Select(_ => (byte)'x').ToArray());
            await stream.FlushAsync();

            // The upload is under way once its temporary ciphertext exists; then the client vanishes.
            Assert.True(await EventuallyAsync(() => TemporaryFiles().Except(earlier).Any()), "the upload never started");
            socket.Client.LingerState = new LingerOption(true, 0);
        }

        Assert.True(await EventuallyAsync(() => !TemporaryFiles().Except(earlier).Any()), "the temporary file of the dropped upload remains");
        Assert.Equal(rowsBefore, await CountRowsAsync());
        Assert.DoesNotContain(Directory.EnumerateFiles(factory.DataDirectory, "*", SearchOption.AllDirectories), file => PlaintextSearch.ReadIfStillThere(file).AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary)) >= 0);
    }

    [Fact]
    public async Task Upload_OverARealSocket_IsReadThroughThePortalsWipingBuffers()
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = factory.Address };
        var form = await client.GetPageAsync("/report");
        using (var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var token = EvidenceUploads.Token(await EvidenceUploads.PageAsync(client));
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Pay 0.1 BTC within 24 hours.\n", 100_000)));

        using var response = await EvidenceUploads.UploadAsync(client, token, "notes.txt", "text/plain", text);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var sha256 = System.Security.Cryptography.SHA256.HashData(text);
            Assert.Contains(await db.EvidenceFiles.Select(e => e.Sha256).ToListAsync(), stored => stored.AsSpan().SequenceEqual(sha256));
        }

        // Kestrel took its buffers from the portal's pool: blocks came back to it, wiped (decision 0018).
        var pools = Assert.IsType<ServerMemoryPoolFactory>(factory.Services.GetRequiredService<IMemoryPoolFactory<byte>>()).Pools;
        Assert.Contains(pools, pool => pool.PooledBlocks > 0);
    }

    [Fact]
    public async Task Recovery_AfterACrash_CompletesCommittedUploads_AndRemovesAbandonedOnes()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IEvidenceStore>();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var cipher = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>();
        var caseId = await db.Cases.Select(c => c.Id).FirstOrDefaultAsync();
        if (caseId == Guid.Empty)
        {
            caseId = await NewCaseIdAsync();
        }

        // Crash after the row was committed but before the move: the upload had succeeded.
        var committedId = Guid.CreateVersion7();
        var written = await store.WriteTemporaryAsync(committedId, new MemoryStream(Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("committed " + Guid.NewGuid()))), 1 << 20, CancellationToken.None);
        db.EvidenceFiles.Add(new EvidenceFile
        {
            Id = committedId, CaseId = caseId, Kind = EvidenceKind.Email, MediaType = "message/rfc822", FileNameEnvelope = cipher.SealString("crash.eml"),
            Size = written.Length, Sha256 = written.Sha256, KeyId = written.KeyId, ReceivedAt = factory.Clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync();

        // Crash before the row: the upload had not succeeded.
        var abandonedId = Guid.CreateVersion7();
        await store.WriteTemporaryAsync(abandonedId, new MemoryStream(Encoding.UTF8.GetBytes("half an upload")), 1 << 20, CancellationToken.None);

        // Both were written just now by the test clock. The one with a row is complete whatever
        // its age; one without a row this young may still be an upload in progress elsewhere.
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        SetWritten(committedId, now);
        SetWritten(abandonedId, now);
        var recovery = scope.ServiceProvider.GetRequiredService<EvidenceRecovery>();
        var young = await recovery.RunAsync(TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal((1, 0), (young.Completed, young.Removed));
        Assert.True(store.Exists(committedId));
        Assert.Contains(store.TemporaryBlobs(), t => t.Id == abandonedId);

        SetWritten(abandonedId, now - TimeSpan.FromHours(2));
        var report = await recovery.RunAsync(TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Equal(0, report.Completed);
        Assert.Equal(1, report.Removed);
        Assert.True(store.Exists(committedId));
        Assert.False(store.Exists(abandonedId));
        Assert.DoesNotContain(store.TemporaryBlobs(), t => t.Id == abandonedId || t.Id == committedId);
        var read = await scope.ServiceProvider.GetRequiredService<ReadEvidenceHandler>().HandleAsync(new ReadEvidence(caseId, committedId), CancellationToken.None);
        Assert.IsType<ReadEvidenceResult.Verified>(read);
    }

    private async Task<Guid> NewCaseIdAsync()
    {
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = factory.Address };
        var form = await client.GetPageAsync("/report");
        using var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid());
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Select(c => c.Id).FirstAsync();
    }

    private void SetWritten(Guid id, DateTime utc) =>
        File.SetLastWriteTimeUtc(Path.Combine(factory.DataDirectory, "evidence", "tmp", id.ToString("N") + ".pev.tmp"), utc);

    private List<string> TemporaryFiles()
    {
        var directory = Path.Combine(factory.DataDirectory, "evidence", "tmp");
        return Directory.Exists(directory) ? Directory.EnumerateFiles(directory).ToList() : [];
    }

    private async Task<int> CountRowsAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EvidenceFiles.CountAsync();
    }

    /// <summary>Polls a condition the server reaches on its own time, with a deadline.</summary>
    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
