using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Durability;

/// <summary>The portal's data and evidence on small file systems of their own, so a test can fill them or turn them read-only.</summary>
public sealed class SmallDiskPortal : SqlitePortalFactory
{
    public required string EvidenceDirectory { get; init; }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Evidence:Directory", EvidenceDirectory),
        new("Portal:MinFreeBytes", (512 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary>
/// A full disk or a file system turning read-only: the victim is told the truth (what they just
/// sent was not kept, and why), nothing half-kept remains (a case without its audit entry, a
/// file without its row), the node reports itself not ready, and all is well once space returns.
/// </summary>
public sealed class StorageTests
{
    [Fact]
    public async Task FullDisk_ReportAndUploadAreNotKept_ThePageSaysSo_ReadyFails_AndAllWorksOnceThereIsRoom()
    {
        using var data = SmallDisk.Mount(32);
        using var evidence = SmallDisk.Mount(8);
        await using var portal = new SmallDiskPortal { DataDirectory = Path.Combine(data.Path, "data"), EvidenceDirectory = evidence.Path };
        _ = portal.Server;
        var (client, token) = await EvidenceUploads.NewCaseAsync(portal);
        var cases = await portal.QueryAsync(db => db.Cases.CountAsync());
        var audited = await portal.QueryAsync(db => db.AuditEntries.CountAsync());

        evidence.Fill(leaveBytes: 256 * 1024);
        var large = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail(new string('x', 2 * 1024 * 1024)));
        using (var upload = await EvidenceUploads.UploadAsync(client, token, "large.eml", "message/rfc822", large))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
            Assert.NotNull(upload.Headers.RetryAfter);
            var page = (await HtmlForms.ParseAsync(upload)).QuerySelector("main");
            Assert.Contains("was not kept", page?.TextContent, StringComparison.Ordinal);
            Assert.Equal("tel:112", page?.QuerySelector("a.tel")?.GetAttribute("href"));
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.False(await portal.QueryAsync(db => db.EvidenceFiles.AnyAsync()));
        Assert.Empty(Directory.EnumerateFiles(evidence.Path, "*.pev*", SearchOption.AllDirectories));

        // The database's volume full too: a report is refused whole, never a case without its entry;
        // a message likewise, and the page says so.
        var statusPage = await client.GetPageAsync("/status");
        data.Fill(leaveBytes: 0);
        var victim = portal.CreatePortalClient();
        var form = await victim.GetPageAsync("/report");
        using (var refused = await victim.SubmitAsync(form, "/report", ReportAnswers.Valid("sent while the disk was full")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("was not kept", (await HtmlForms.ParseAsync(refused)).QuerySelector("main")?.TextContent, StringComparison.Ordinal);
        }

        var message = new Dictionary<string, string?> { ["Body"] = "Written while the disk was full" };
        using (var unsent = await client.SubmitAsync(statusPage, "/status/messages", message))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unsent.StatusCode);
            Assert.Contains("was not kept", (await HtmlForms.ParseAsync(unsent)).QuerySelector("main")?.TextContent, StringComparison.Ordinal);
        }

        data.FreeUp();
        evidence.FreeUp();
        Assert.Equal(cases, await portal.QueryAsync(db => db.Cases.CountAsync()));
        Assert.Equal(audited, await portal.QueryAsync(db => db.AuditEntries.CountAsync()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        // Once there is room: the same form is filed (one case, audited) and the file is kept.
        using (var resent = await victim.SubmitAsync(form, "/report", ReportAnswers.Valid("sent while the disk was full")))
        {
            Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
            Assert.NotNull((await HtmlForms.ParseAsync(resent)).QuerySelector("[data-testid=receipt-key]"));
        }

        using (var upload = await EvidenceUploads.UploadAsync(client, EvidenceUploads.Token(await EvidenceUploads.PageAsync(client)), "large.eml", "message/rfc822", large))
        {
            Assert.Equal(HttpStatusCode.Redirect, upload.StatusCode);
        }

        // The message form sent again: kept once.
        using (var sent = await client.SubmitAsync(statusPage, "/status/messages", message))
        {
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        }

        Assert.Equal(1, await portal.QueryAsync(db => db.CaseMessages.CountAsync()));
        Assert.Equal(cases + 1, await portal.QueryAsync(db => db.Cases.CountAsync()));
        Assert.Equal(await portal.QueryAsync(db => db.Cases.CountAsync()), await portal.QueryAsync(db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.ReportSubmitted)));
    }

    [Fact]
    public async Task EvidenceVolumeTurnsReadOnly_ReadyFails_TheUploadIsNotKept_AndTheVictimIsToldSo()
    {
        using var data = SmallDisk.Mount(32);
        using var evidence = SmallDisk.Mount(8);
        await using var portal = new SmallDiskPortal { DataDirectory = Path.Combine(data.Path, "data"), EvidenceDirectory = evidence.Path };
        _ = portal.Server;
        var (client, token) = await EvidenceUploads.NewCaseAsync(portal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        evidence.MakeReadOnly();
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
            using var upload = await EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail()));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
            Assert.Contains("Nothing was saved", (await HtmlForms.ParseAsync(upload)).QuerySelector("main")?.TextContent, StringComparison.Ordinal);
            Assert.False(await portal.QueryAsync(db => db.EvidenceFiles.AnyAsync()));
        }
        finally
        {
            evidence.MakeWritable();
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task StartedOnAReadOnlyDataDirectory_ThePortalSaysWhyInTheLog_AndEveryPageIs503()
    {
        using var data = SmallDisk.Mount(32);
        var directory = Path.Combine(data.Path, "data");
        await using (var first = new SmallDiskPortal { DataDirectory = directory, EvidenceDirectory = Path.Combine(directory, "evidence") })
        {
            _ = first.Server;
        }

        SqliteConnection.ClearAllPools();
        data.MakeReadOnly();
        try
        {
            var (node, client) = await PortalNodeProcess.StartServingAsync(
                new SmallDiskPortal { DataDirectory = directory, EvidenceDirectory = Path.Combine(directory, "evidence") });
            await using (node)
            {
                using var page = await client.GetAsync("/report");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
                Assert.Contains("112", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
                Assert.Contains(node.Output().Split('\n'), line => line.Contains("storage cannot be written", StringComparison.Ordinal));
            }
        }
        finally
        {
            data.MakeWritable();
        }
    }
}
