using System.IO.Compression;
using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Campaigns;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Bundles;

/// <summary>
/// A campaign's bundle: a supervisor approves the campaign as it is, a different police user
/// downloads it; it holds the signed bundle of each consenting case and verifies with the
/// standard tools; a change of members needs a new approval.
/// </summary>
public abstract class CampaignBundleTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    [Fact]
    public async Task TwoPeople_ApproveAndDownload_ABundleOfTheConsentingCases_ThatVerifies()
    {
        var wallet = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
        var consenting = new[] { await FileAsync(wallet, police: true, withEmail: true), await FileAsync(wallet, police: true) };
        var withheld = await FileAsync(wallet, police: false);
        var campaignId = await RecomputeAsync(consenting[0]);

        var officer = await RoutingSteps.PoliceOfficerAsync(factory);
        var police = await BundleDownloads.SignInForExportAsync(factory, officer);
        await BundleDownloads.ConfirmNowAsync(factory, police, officer);
        var path = $"/staff/campaigns/{campaignId}/bundle";

        // Not approved yet: refused with a clear page, and the refusal is on record.
        using (var early = await police.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Contains("has not approved", (await HtmlForms.ParseAsync(early)).QuerySelector("[data-testid=campaign-bundle-refused]")?.TextContent, StringComparison.Ordinal);
        }

        // A supervisor who is also a police officer approves, and cannot then download it alone.
        var approverAccount = await RoutingSteps.PoliceOfficerAsync(factory, StaffRoles.Supervisor);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await users.FindByEmailAsync(approverAccount.Email) ?? throw new InvalidOperationException("no approver");
            Assert.True((await users.AddToRoleAsync(user, StaffRoles.Police)).Succeeded);
        }

        var approver = await BundleDownloads.SignInForExportAsync(factory, approverAccount);
        var page = await approver.GetPageAsync($"/staff/campaigns/{campaignId}");
        Assert.Contains("2", page.QuerySelector("[data-testid=campaign-export]")?.TextContent, StringComparison.Ordinal);
        using (var approved = await approver.SubmitAsync(page, $"/staff/campaigns/{campaignId}/approve-export", new Dictionary<string, string?>()))
        {
            Assert.Equal($"/staff/campaigns/{campaignId}?approved=true", approved.Headers.Location?.OriginalString);
        }

        // The same form sent again (a double click, a retry) gets the same answer and records nothing more.
        using (var resent = await approver.SubmitAsync(page, $"/staff/campaigns/{campaignId}/approve-export", new Dictionary<string, string?>()))
        {
            Assert.Equal($"/staff/campaigns/{campaignId}?approved=true", resent.Headers.Location?.OriginalString);
        }

        Assert.Equal(1, await factory.QueryAsync(db => db.CampaignExportApprovals.CountAsync(a => a.CampaignId == campaignId)));
        Assert.Equal(1, await factory.QueryAsync(db => db.AuditEntries.CountAsync(e => e.Subject == campaignId.ToString() && e.Action == AuditActions.CampaignExportApproved)));

        await BundleDownloads.ConfirmNowAsync(factory, approver, approverAccount);
        using (var alone = await approver.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.Conflict, alone.StatusCode);
            Assert.Contains("Two different people", (await HtmlForms.ParseAsync(alone)).QuerySelector("[data-testid=campaign-bundle-refused]")?.TextContent, StringComparison.Ordinal);
        }

        // Someone else downloads it.
        var policePage = await police.GetPageAsync($"/staff/campaigns/{campaignId}");
        Assert.Equal(path, policePage.QuerySelector("[data-testid=campaign-bundle-download]")?.GetAttribute("href"));
        using var response = await police.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var directory = TestDatabases.NewTempDirectory();
        var zip = Path.Combine(directory, "campaign.zip");
        await File.WriteAllBytesAsync(zip, await response.Content.ReadAsByteArrayAsync());

        using (var archive = ZipFile.OpenRead(zip))
        {
            var members = archive.Entries.Where(e => e.FullName.StartsWith("cases/", StringComparison.Ordinal)).Select(e => e.FullName).Order().ToList();
            Assert.Equal(consenting.Select(c => $"cases/evidence-bundle-{c.Reference}.zip").Order(), members);
            Assert.DoesNotContain(archive.Entries, e => e.FullName.Contains(withheld.Reference, StringComparison.Ordinal));
        }

        var verified = await VerifyBundle.CheckAsync(zip, null, CancellationToken.None);
        Assert.True(verified.IsValid, string.Join("; ", verified.Problems));
        Assert.Contains(verified.Checked, c => c.StartsWith($"cases/evidence-bundle-{consenting[0].Reference}.zip: a valid case bundle", StringComparison.Ordinal));

        // The standard tools agree.
        var extracted = Path.Combine(directory, "x");
        ZipFile.ExtractToDirectory(zip, extracted);
        var sums = await BundleDownloads.RunAsync("/usr/bin/sha256sum", extracted, "--strict", "-c", "SHA256SUMS");
        Assert.True(sums.ExitCode == 0, sums.Output + sums.Errors);
        var signature = await BundleDownloads.RunAsync("/usr/bin/openssl", extracted, "dgst", "-sha256", "-verify", "signing-key.pem", "-signature", "manifest.json.sig", "manifest.json");
        Assert.True(signature.ExitCode == 0, signature.Output + signature.Errors);

        // One byte flipped inside a member bundle is caught.
        var tampered = Path.Combine(directory, "tampered.zip");
        var bytes = await File.ReadAllBytesAsync(zip);
        var member = $"cases/evidence-bundle-{consenting[0].Reference}.zip";
        var at = IndexOf(bytes, System.Text.Encoding.ASCII.GetBytes(member)) + member.Length + 300;
        Assert.True(at > 300, "the member bundle was not found in the archive");
        bytes[at] ^= 0x01;
        await File.WriteAllBytesAsync(tampered, bytes);
        var broken = await VerifyBundle.CheckAsync(tampered, null, CancellationToken.None);
        Assert.False(broken.IsValid);
        Assert.Contains(broken.Problems, p => p.StartsWith(member, StringComparison.Ordinal));

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var actions = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking()
                .Where(e => e.Subject == campaignId.ToString()).OrderBy(e => e.Id).Select(e => new { e.Action, e.Detail }).ToListAsync();
            Assert.Equal(
                [AuditActions.CampaignBundleRefused, AuditActions.CampaignExportApproved, AuditActions.CampaignBundleRefused, AuditActions.CampaignBundleDownloaded],
                actions.Where(a => a.Action.StartsWith("campaign.bundle", StringComparison.Ordinal) || a.Action == AuditActions.CampaignExportApproved).Select(a => a.Action));
        }

        // Each member case's custody log records the export.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            foreach (var exportedCase in consenting)
            {
                var entry = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.CaseId == exportedCase.Id && e.Action == AuditActions.BundleDownloaded);
                Assert.StartsWith("in campaign CP-", entry.Detail, StringComparison.Ordinal);
            }

            Assert.False(await db.AuditEntries.AnyAsync(e => e.CaseId == withheld.Id && e.Action == AuditActions.BundleDownloaded));
        }

        // A new consenting report joins: the approval covered the old members only.
        await FileAsync(wallet, police: true);
        Assert.Equal(campaignId, await RecomputeAsync(consenting[0]));
        using var stale = await police.GetAsync(path);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    [Fact]
    public async Task Approval_CoversOnlyTheCasesTheSupervisorSaw_AConsentGivenAfterItNeedsApprovingAgain()
    {
        var wallet = "bc1qcoveredcases7x4k2m9p0w3n8r5t6y1u2i3o4";
        var (first, second, late) = (await FileAsync(wallet, police: true), await FileAsync(wallet, police: true), await FileAsync(wallet, police: true));
        var campaignId = await RecomputeAsync(first);
        var path = $"/staff/campaigns/{campaignId}/bundle";
        var page = $"/staff/campaigns/{campaignId}";
        var officer = await RoutingSteps.PoliceOfficerAsync(factory);
        var police = await BundleDownloads.SignInForExportAsync(factory, officer);
        await BundleDownloads.ConfirmNowAsync(factory, police, officer);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        // One victim withdraws police consent; the supervisor sees two cases and approves those.
        await ChangePoliceConsentAsync(late.Victim);
        var shown = await supervisor.GetPageAsync(page);
        Assert.Contains("each of the 2 cases", shown.QuerySelector("[data-testid=campaign-export]")?.TextContent, StringComparison.Ordinal);
        using (var approved = await supervisor.SubmitAsync(shown, $"{page}/approve-export", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        }

        // The victim gives consent again: the approval did not cover that case, so nothing goes out.
        await ChangePoliceConsentAsync(late.Victim);
        using (var refused = await police.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("gave police consent after a supervisor approved", (await HtmlForms.ParseAsync(refused)).QuerySelector("[data-testid=campaign-bundle-refused]")?.TextContent, StringComparison.Ordinal);
        }

        Assert.Null((await police.GetPageAsync(page)).QuerySelector("[data-testid=campaign-bundle-download]"));
        var again = await supervisor.GetPageAsync(page);
        Assert.Contains("no longer covers the bundle", again.QuerySelector("[data-testid=export-state]")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("each of the 3 cases", again.QuerySelector("[data-testid=campaign-export]")?.TextContent, StringComparison.Ordinal);

        // A page shown before a consent changed approves nothing: the supervisor looks again.
        await ChangePoliceConsentAsync(second.Victim);
        using (var stale = await supervisor.SubmitAsync(again, $"{page}/approve-export", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Contains("changed while you were looking", (await HtmlForms.ParseAsync(stale)).QuerySelector("[data-testid=campaign-export]")?.TextContent, StringComparison.Ordinal);
        }

        await ChangePoliceConsentAsync(second.Victim);
        using (var approved = await supervisor.SubmitAsync(await supervisor.GetPageAsync(page), $"{page}/approve-export", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        }

        Assert.Equal(new[] { first.Reference, second.Reference, late.Reference }.Order(), await BundledCasesAsync(police, path));

        // A victim who withdraws is left out: that narrows what was approved, it does not widen it.
        await ChangePoliceConsentAsync(second.Victim);
        Assert.Equal(new[] { first.Reference, late.Reference }.Order(), await BundledCasesAsync(police, path));

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var trail = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Subject == campaignId.ToString() && (e.Action == AuditActions.CampaignExportApproved || e.Action == AuditActions.CampaignBundleRefused))
            .OrderBy(e => e.Id).Select(e => new { e.Action, e.Detail }).ToListAsync();
        Assert.Equal([AuditActions.CampaignExportApproved, AuditActions.CampaignBundleRefused, AuditActions.CampaignExportApproved], trail.Select(e => e.Action));
        static string Cases(string? detail) => string.Join(' ', (detail ?? "").Split(": ")[^1].Split(' ').Order());
        Assert.StartsWith("v1 2 cases: ", trail[0].Detail, StringComparison.Ordinal);
        Assert.Equal(string.Join(' ', new[] { first.Reference, second.Reference }.Order()), Cases(trail[0].Detail));
        Assert.Equal($"CasesAdded: {late.Reference}", trail[1].Detail);
        Assert.Equal(string.Join(' ', new[] { first.Reference, second.Reference, late.Reference }.Order()), Cases(trail[2].Detail));
        Assert.Equal(2, await db.CampaignExportApprovals.CountAsync(a => a.CampaignId == campaignId));
    }

    [Fact]
    public async Task CampaignPages_ShowApprovalAndComputedTimes_InTheHelplinesZone_NotLabelledUtc()
    {
        var wallet = "bc1qapprovaltimezone8c3v5b7n9m1q2w4e6r8t0";
        var first = await FileAsync(wallet, police: true);
        await FileAsync(wallet, police: true);
        var campaignId = await RecomputeAsync(first);
        var page = $"/staff/campaigns/{campaignId}";
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        using (var approved = await supervisor.SubmitAsync(await supervisor.GetPageAsync(page), $"{page}/approve-export", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        }

        DateTime approvedAt, computedAt;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            approvedAt = await db.CampaignExportApprovals.Where(a => a.CampaignId == campaignId).Select(a => a.ApprovedAt).SingleAsync();
            computedAt = await db.CampaignClusteringStates.Select(s => s.LastRunAt).SingleAsync() ?? throw new InvalidOperationException("never computed");
        }

        var helsinki = TimeZoneInfo.FindSystemTimeZoneById("Europe/Helsinki");
        string Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), helsinki).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var state = (await supervisor.GetPageAsync(page)).QuerySelector("[data-testid=export-state]")?.TextContent ?? "";
        Assert.Contains($"on {Local(approvedAt)},", state, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", state, StringComparison.Ordinal);
        var computed = (await supervisor.GetPageAsync("/staff/campaigns")).QuerySelector("[data-testid=campaigns-computed]")?.TextContent ?? "";
        Assert.Contains($"Last computed {Local(computedAt)}", computed, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", computed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Volunteers_CannotApprove_AndPoliceCannotApproveEither()
    {
        var wallet = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3";
        await FileAsync(wallet, police: true);
        var second = await FileAsync(wallet, police: true);
        var campaignId = await RecomputeAsync(second);

        foreach (var role in new[] { StaffRoles.Volunteer, StaffRoles.Police })
        {
            var staff = await StaffAccounts.SignedInClientAsync(factory, role);
            var token = (await staff.GetPageAsync("/staff")).QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";
            using var refused = await staff.PostAsync($"/staff/campaigns/{campaignId}/approve-export", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token }));
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.Contains("/account/denied", refused.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CampaignExportApprovals.AnyAsync(a => a.CampaignId == campaignId));
    }

    /// <summary>
    /// A police account that belongs to no police unit (invited and not linked yet, taken out of
    /// its unit, or put in a counselling partner) is refused the partner workspace and every case
    /// bundle; it listed every campaign with consenting cases and downloaded the whole bundle of
    /// an approved one. Police see campaigns as members of a police unit only.
    /// </summary>
    [Fact]
    public async Task PoliceOutsideAPoliceUnit_SeeNoCampaign_AndGetNoCampaignBundle()
    {
        var wallet = "bc1qnounit9x8c7v6b5n4m3l2k1j0h9g8f7d6s5a4";
        await FileAsync(wallet, police: true);
        var second = await FileAsync(wallet, police: true);
        var campaignId = await RecomputeAsync(second);
        var path = $"/staff/campaigns/{campaignId}/bundle";
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        using (var approved = await supervisor.SubmitAsync(await supervisor.GetPageAsync($"/staff/campaigns/{campaignId}"), $"/staff/campaigns/{campaignId}/approve-export", new Dictionary<string, string?>()))
        {
            Assert.Equal($"/staff/campaigns/{campaignId}?approved=true", approved.Headers.Location?.OriginalString);
        }

        var counselling = await RoutingSteps.AddPartnerAsync(factory, PartnerType.Counselling, "nowhere", active: false);
        foreach (var partnerId in new long?[] { null, counselling.Id })
        {
            var officer = await RoutingSteps.MemberAsync(factory, await StaffAccounts.CreateAsync(factory, StaffRoles.Police), partnerId);
            var outsider = await BundleDownloads.SignInForExportAsync(factory, officer);
            await BundleDownloads.ConfirmNowAsync(factory, outsider, officer);

            Assert.Empty((await outsider.GetPageAsync("/staff/campaigns")).QuerySelectorAll("[data-testid=campaign-row]"));
            using (var page = await outsider.GetAsync($"/staff/campaigns/{campaignId}"))
            {
                Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            }

            using var bundle = await outsider.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, bundle.StatusCode);
            Assert.NotEqual("application/zip", bundle.Content.Headers.ContentType?.MediaType);
        }

        // An officer of a police unit is given it under the same approval.
        var member = await RoutingSteps.PoliceOfficerAsync(factory);
        var police = await BundleDownloads.SignInForExportAsync(factory, member);
        await BundleDownloads.ConfirmNowAsync(factory, police, member);
        Assert.Single((await police.GetPageAsync("/staff/campaigns")).QuerySelectorAll($"[data-testid=campaign-row] a[href='/staff/campaigns/{campaignId}']"));
        Assert.Equal(2, (await BundledCasesAsync(police, path)).Count);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.CountAsync(e => e.Subject == campaignId.ToString() && e.Action == AuditActions.AccessDenied && e.Detail == "campaign-bundle"));
    }

    /// <summary>The victim presses the police consent button on their status page (withdraw, or give again).</summary>
    private static async Task ChangePoliceConsentAsync(HttpClient victim)
    {
        var form = (await victim.GetPageAsync("/status")).QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("[data-testid=consent-police] form[action='/status/consent']");
        Assert.NotNull(form);
        using var response = await victim.PostAsync("/status/consent", new FormUrlEncodedContent(HtmlForms.DefaultValues(form)));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>Downloads the campaign bundle and returns the references of the cases in it, in its order.</summary>
    private static async Task<List<string>> BundledCasesAsync(HttpClient police, string path)
    {
        using var response = await police.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var archive = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        return [.. archive.Entries.Where(e => e.FullName.StartsWith("cases/evidence-bundle-", StringComparison.Ordinal)).Select(e => e.FullName["cases/evidence-bundle-".Length..^".zip".Length]).Order()];
    }

    private async Task<Filed> FileAsync(string wallet, bool police, bool withEmail = false)
    {
        var answers = ReportAnswers.Valid();
        answers["PaymentAddress"] = wallet;
        answers["SenderAddress"] = $"ransom-{wallet[^6..]}@extortion.example";
        answers["ConsentPolice"] = police ? "true" : null;
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory, answers);
        if (withEmail)
        {
            using var uploaded = await EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", System.Text.Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail()));
            Assert.True(uploaded.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.SeeOther, uploaded.StatusCode.ToString());
        }

        var reference = (await client.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        await using var scope = factory.Services.CreateAsyncScope();
        var id = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
        return new Filed(id, reference, client);
    }

    private async Task<Guid> RecomputeAsync(Filed member)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CampaignCases.Where(m => m.CaseId == member.Id).Select(m => m.CampaignId).SingleAsync();
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    private sealed record Filed(Guid Id, string Reference, HttpClient Victim);
}

public sealed class SqliteCampaignBundleTests(SqlitePortalFactory factory) : CampaignBundleTests<SqlitePortalFactory>(factory);

public sealed class PostgresCampaignBundleTests(PostgresPortalFactory factory) : CampaignBundleTests<PostgresPortalFactory>(factory);
