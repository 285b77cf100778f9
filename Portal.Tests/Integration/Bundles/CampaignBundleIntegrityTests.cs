using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Campaigns;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Bundles;

/// <summary>
/// A member case's evidence that fails its check while a campaign bundle streams is handled as
/// in a case bundle (decision 0014): the download is cut off before any manifest, the failure
/// is in the audit trail, and every supervisor is alerted.
/// </summary>
public abstract class CampaignBundleIntegrityTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    [Fact]
    public async Task EvidenceDamagedWhileACampaignBundleStreams_CutsItOff_IsAudited_AndAlertsSupervisors()
    {
        var wallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
        // Over the 1 MiB this factory checks before streaming, so the check happens in the stream.
        var large = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Evidence line that repeats to make a large text file.\n", 40_000)));
        var damaged = await FileAsync(wallet, ("large.txt", large));
        await FileAsync(wallet, null);
        await FlipStoredByteAsync(damaged.Id, fromEnd: large.Length / 2);
        var (campaignId, approver) = await ApprovedCampaignAsync(damaged.Id);

        var officer = await RoutingSteps.PoliceOfficerAsync(factory);
        var police = await BundleDownloads.SignInForExportAsync(factory, officer);
        await BundleDownloads.ConfirmNowAsync(factory, police, officer);
        var received = new MemoryStream();
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var response = await police.GetAsync($"/staff/campaigns/{campaignId}/bundle", HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(received);
        });

        Assert.NotNull(failure);
        Assert.Equal(-1, received.ToArray().AsSpan().IndexOf("manifest.json.sig"u8));
        var tampered = await RoutingSteps.WithDbAsync(factory, db => db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.EvidenceTampered && e.CaseId == damaged.Id).ToListAsync());
        var entry = Assert.Single(tampered);
        Assert.StartsWith("bundle:", entry.Detail, StringComparison.Ordinal);
        Assert.Equal(PortalFactory.ClientAddress.ToString(), entry.IpAddress);
        Assert.Equal(await UserIdAsync(officer.Email), entry.ActorId);
        var alerts = await TestMailbox.Smtp.WaitForAsync(approver);
        var alert = Assert.Single(alerts, m => m.Subject?.Contains(damaged.Reference, StringComparison.Ordinal) == true);
        Assert.Contains($"/staff/cases/{damaged.Id}", alert.TextBody, StringComparison.Ordinal);
    }

    private async Task<(Guid Id, string Reference)> FileAsync(string wallet, (string Name, byte[] Content)? file)
    {
        var answers = ReportAnswers.Valid();
        answers["PaymentAddress"] = wallet;
        answers["ConsentPolice"] = "true";
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory, answers);
        if (file is { } upload)
        {
            using var uploaded = await EvidenceUploads.UploadAsync(client, token, upload.Name, null, upload.Content);
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        var reference = (await client.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        var id = await RoutingSteps.WithDbAsync(factory, db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        return (id, reference);
    }

    /// <summary>The campaign of the case, approved for export by a supervisor; returns it and the supervisor's address.</summary>
    private async Task<(Guid CampaignId, string Supervisor)> ApprovedCampaignAsync(Guid caseId)
    {
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
        var campaignId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CampaignCases.Where(m => m.CaseId == caseId).Select(m => m.CampaignId).SingleAsync();
        var bundles = scope.ServiceProvider.GetRequiredService<CampaignBundleHandler>();
        var shown = await bundles.StateAsync(campaignId, CancellationToken.None);
        var approved = await bundles.ApproveAsync(campaignId, shown?.Cases, await UserIdAsync(supervisor.Email), CancellationToken.None);
        Assert.Equal(CampaignApprovalOutcome.Approved, approved.Outcome);
        return (campaignId, supervisor.Email);
    }

    private Task<string> UserIdAsync(string email) =>
        RoutingSteps.WithDbAsync(factory, db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    private async Task FlipStoredByteAsync(Guid caseId, int fromEnd)
    {
        var evidenceId = await RoutingSteps.WithDbAsync(factory, db => db.EvidenceFiles.Where(e => e.CaseId == caseId).Select(e => e.Id).SingleAsync());
        var blob = Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "evidence"), evidenceId.ToString("N") + ".pev", SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[^fromEnd] ^= 0x40;
        await File.WriteAllBytesAsync(blob, bytes);
    }
}

public sealed class SqliteCampaignBundleIntegrityTests(BundleSqliteFactory factory) : CampaignBundleIntegrityTests<BundleSqliteFactory>(factory);

public sealed class PostgresCampaignBundleIntegrityTests(BundlePostgresFactory factory) : CampaignBundleIntegrityTests<BundlePostgresFactory>(factory);
