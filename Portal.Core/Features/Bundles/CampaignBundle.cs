using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Routing;

namespace Portal.Core.Features.Bundles;

public enum CampaignApprovalOutcome
{
    Approved,

    /// <summary>The same supervisor had already approved these very cases of this version (a resent form): nothing new is recorded.</summary>
    AlreadyApproved,

    NotFound,

    /// <summary>Fewer consenting cases than police may see as a campaign: nothing to export.</summary>
    NothingToExport,

    /// <summary>The consenting cases are no longer the ones the supervisor was shown: nothing is approved, they look again.</summary>
    Changed,
}

/// <summary>
/// Where a campaign's export stands. <see cref="Cases"/> stands for the consenting cases counted
/// here, for the approval form to send back; <see cref="CasesAddedSinceApproval"/> says there is a
/// live approval of this version, but a case has gained police consent since, so it no longer
/// covers the bundle.
/// </summary>
public sealed record CampaignExportState(int Version, int ConsentingCases, string Cases, CampaignExportApproval? Approval, bool CasesAddedSinceApproval);

/// <summary>The outcome of an approval and, when approved, the references of the cases it covers.</summary>
public sealed record CampaignApprovalResult(CampaignApprovalOutcome Outcome, int Version, IReadOnlyList<string> References);

public abstract record CampaignBundleResult
{
    private CampaignBundleResult()
    {
    }

    public sealed record NotFound : CampaignBundleResult;

    /// <summary>No live supervisor approval for the campaign as it is now.</summary>
    public sealed record NotApproved : CampaignBundleResult;

    /// <summary>The downloader approved it: two different people are needed.</summary>
    public sealed record SamePerson : CampaignBundleResult;

    /// <summary>
    /// A case gained police consent after the approval: the supervisor never saw it, so the
    /// approval does not cover the bundle any more (<paramref name="References"/> are the cases added).
    /// </summary>
    public sealed record CasesAdded(IReadOnlyList<string> References) : CampaignBundleResult;

    /// <summary>A member case's evidence failed its integrity check; nothing is sent.</summary>
    public sealed record Blocked(Guid CaseId, CaseBundleResult.Blocked Case) : CampaignBundleResult;

    public sealed record Ready(string Reference, int Version, string FileName, IReadOnlyList<(Guid CaseId, string Reference)> Cases, Func<Stream, CancellationToken, Task> WriteToAsync) : CampaignBundleResult;
}

/// <summary>
/// A campaign's bundle: the signed bundle of every member case whose victim gave police consent,
/// each under cases/, and a top-level manifest, SHA256SUMS and signature over them, in the case
/// bundle's format so verify-bundle, sha256sum and openssl check it the same way. Two people:
/// a supervisor approves the campaign as it is (its version and the consenting cases they were
/// shown), and a police user of a police unit, other than the approver, downloads it while the approval lasts and
/// covers every case the bundle would hold. Every download, refusal and integrity failure
/// is audited here; a failure, before or while streaming, also alerts supervisors (decision 0014).
/// </summary>
public sealed class CampaignBundleHandler(
    PortalDbContext db,
    BuildCaseBundleHandler caseBundles,
    BundleSigningKey signingKey,
    AuditTrail audit,
    EvidenceIntegrityAlert alert,
    IOptions<BundleOptions> options,
    PartnerMembershipQuery membership,
    TimeProvider clock)
{
    public const string Format = "portal-campaign-bundle/1";

    public async Task<CampaignExportState?> StateAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        var campaign = await LiveCampaignAsync(campaignId, cancellationToken);
        if (campaign is null)
        {
            return null;
        }

        var cases = await ConsentingCasesAsync(campaignId, cancellationToken);
        var approvals = await LiveApprovalsAsync(campaign, cancellationToken);
        var approval = Covering(approvals, cases);
        return new CampaignExportState(campaign.Version, cases.Count, CaseSet(cases), approval, approval is null && approvals.Count > 0);
    }

    /// <summary>
    /// Records the approval of exactly the consenting cases the supervisor was shown
    /// (<paramref name="casesSeen"/>, from <see cref="CampaignExportState.Cases"/>); if a victim
    /// gave or withdrew consent meanwhile, nothing is approved.
    /// </summary>
    public async Task<CampaignApprovalResult> ApproveAsync(Guid campaignId, string? casesSeen, string supervisorId, CancellationToken cancellationToken)
    {
        var campaign = await LiveCampaignAsync(campaignId, cancellationToken);
        if (campaign is null)
        {
            return new CampaignApprovalResult(CampaignApprovalOutcome.NotFound, 0, []);
        }

        var cases = await ConsentingCasesAsync(campaignId, cancellationToken);
        if (cases.Count < CampaignAccess.MinimumCasesForPolice)
        {
            return new CampaignApprovalResult(CampaignApprovalOutcome.NothingToExport, campaign.Version, []);
        }

        if (!string.Equals(casesSeen, CaseSet(cases), StringComparison.Ordinal))
        {
            return new CampaignApprovalResult(CampaignApprovalOutcome.Changed, campaign.Version, []);
        }

        var earlier = await db.CampaignExportApprovals.AsNoTracking()
            .Where(a => a.CampaignId == campaignId && a.CampaignVersion == campaign.Version && a.ApprovedById == supervisorId)
            .Select(a => a.CaseIds)
            .ToListAsync(cancellationToken);
        if (earlier.Any(ids => ids.ToHashSet().SetEquals(cases.Select(c => c.Id))))
        {
            return new CampaignApprovalResult(CampaignApprovalOutcome.AlreadyApproved, campaign.Version, [.. cases.Select(c => c.Reference)]);
        }

        db.CampaignExportApprovals.Add(new CampaignExportApproval
        {
            CampaignId = campaignId,
            CampaignVersion = campaign.Version,
            ApprovedById = supervisorId,
            ApprovedAt = clock.GetUtcNow().UtcDateTime,
            CaseIds = [.. cases.Select(c => c.Id)],
        });
        await db.SaveChangesAsync(cancellationToken);
        return new CampaignApprovalResult(CampaignApprovalOutcome.Approved, campaign.Version, [.. cases.Select(c => c.Reference)]);
    }

    /// <summary>
    /// Checks who may have the campaign's bundle and every member's evidence, audits the outcome,
    /// and for a download returns the writer. <paramref name="alertLanguage"/> is the language
    /// of the email to supervisors if evidence fails its check.
    /// </summary>
    public async Task<CampaignBundleResult> PrepareAsync(Guid campaignId, StaffActor downloader, string alertLanguage, CancellationToken cancellationToken)
    {
        var result = await DecideAsync(campaignId, downloader.UserId, cancellationToken);
        switch (result)
        {
            case CampaignBundleResult.NotFound:
                await audit.AppendAsync(downloader.Event(AuditActions.AccessDenied, subject: campaignId.ToString(), detail: "campaign-bundle"), cancellationToken);
                break;
            case CampaignBundleResult.NotApproved or CampaignBundleResult.SamePerson:
                await audit.AppendAsync(downloader.Event(AuditActions.CampaignBundleRefused, subject: campaignId.ToString(), detail: result is CampaignBundleResult.NotApproved ? "NotApproved" : "SamePerson"), cancellationToken);
                break;
            case CampaignBundleResult.CasesAdded added:
                await audit.AppendAsync(downloader.Event(AuditActions.CampaignBundleRefused, subject: campaignId.ToString(), detail: $"CasesAdded: {string.Join(' ', added.References)}"), cancellationToken);
                break;
            case CampaignBundleResult.Blocked blocked:
                await alert.RaiseAsync(new EvidenceIntegrityFailure(blocked.CaseId, blocked.Case.Reference, blocked.Case.File.Id, blocked.Case.Problem, downloader.Event(AuditActions.EvidenceTampered)), alertLanguage, cancellationToken);
                break;
            case CampaignBundleResult.Ready ready:
                // Recorded for the campaign and in each member case's own custody log.
                var exported = ready.Cases.Select(c => downloader.Event(AuditActions.BundleDownloaded, c.CaseId, ready.FileName, $"in campaign {ready.Reference} v{ready.Version}")).ToList();
                exported.Insert(0, downloader.Event(AuditActions.CampaignBundleDownloaded, subject: campaignId.ToString(), detail: $"v{ready.Version} {ready.Cases.Count} cases: {string.Join(' ', ready.Cases.Select(c => c.Reference))}"));
                await audit.AppendManyAsync(exported, cancellationToken);
                return ready with { WriteToAsync = (output, token) => WriteAlertingAsync(ready.WriteToAsync, downloader, alertLanguage, output, token) };
        }

        return result;
    }

    /// <summary>
    /// A member's evidence that fails its check while streaming is recorded and reported before
    /// the exception reaches the caller, who cuts the download off.
    /// </summary>
    private async Task WriteAlertingAsync(Func<Stream, CancellationToken, Task> write, StaffActor downloader, string alertLanguage, Stream output, CancellationToken cancellationToken)
    {
        try
        {
            await write(output, cancellationToken);
        }
        catch (CampaignMemberIntegrityException failure)
        {
            // Not the download's token: the record must be written even if the client went away.
            await alert.RaiseAsync(
                new EvidenceIntegrityFailure(failure.CaseId, failure.Reference, failure.Evidence.File.Id, failure.Evidence.Problem, downloader.Event(AuditActions.EvidenceTampered)),
                alertLanguage,
                CancellationToken.None);
            ExceptionDispatchInfo.Throw(failure.Evidence);
        }
    }

    private async Task<CampaignBundleResult> DecideAsync(Guid campaignId, string downloaderId, CancellationToken cancellationToken)
    {
        // Police of a police unit only, as for case bundles: to anyone else there is no such bundle.
        if (!await CampaignViewer.IsPoliceOfficerAsync(downloaderId, membership, cancellationToken))
        {
            return new CampaignBundleResult.NotFound();
        }

        var campaign = await LiveCampaignAsync(campaignId, cancellationToken);
        var cases = campaign is null ? [] : await ConsentingCasesAsync(campaignId, cancellationToken);
        if (campaign is null || cases.Count < CampaignAccess.MinimumCasesForPolice)
        {
            return new CampaignBundleResult.NotFound();
        }

        var approvals = await LiveApprovalsAsync(campaign, cancellationToken);
        if (approvals.Count == 0)
        {
            return new CampaignBundleResult.NotApproved();
        }

        // A case whose victim consented after the approval was never seen by the supervisor; one
        // that withdrew is simply left out, which only narrows what was approved.
        if (Covering(approvals, cases) is not { } approval)
        {
            return new CampaignBundleResult.CasesAdded([.. cases.Where(c => !approvals[0].CaseIds.Contains(c.Id)).Select(c => c.Reference)]);
        }

        if (approval.ApprovedById == downloaderId)
        {
            return new CampaignBundleResult.SamePerson();
        }

        // Every member is checked before the first byte, as a case bundle checks its files.
        var members = new List<(Guid CaseId, CaseBundleResult.Ready Bundle)>();
        foreach (var caseId in cases.Select(c => c.Id))
        {
            switch (await caseBundles.HandleAsync(caseId, cancellationToken))
            {
                case CaseBundleResult.Ready ready:
                    members.Add((caseId, ready));
                    break;
                case CaseBundleResult.Blocked blocked:
                    return new CampaignBundleResult.Blocked(caseId, blocked);
                default:
                    return new CampaignBundleResult.NotFound();
            }
        }

        var fileName = $"campaign-bundle-{campaign.Reference}-v{campaign.Version}.zip";
        return new CampaignBundleResult.Ready(
            campaign.Reference,
            campaign.Version,
            fileName,
            [.. members.Select(m => (m.CaseId, m.Bundle.Reference))],
            (output, token) => WriteAsync(campaign, approval, downloaderId, members, output, token));
    }

    private async Task WriteAsync(Campaign campaign, CampaignExportApproval approval, string downloaderId, IReadOnlyList<(Guid CaseId, CaseBundleResult.Ready Bundle)> members, Stream output, CancellationToken cancellationToken)
    {
        var generatedAt = clock.GetUtcNow().UtcDateTime;
        var buffered = new BufferedStream(output, 1024 * 1024);
        var zip = new StreamingZipWriter(buffered, generatedAt);
        var entries = new List<(BundleEntry Entry, string? CaseReference)>();
        foreach (var (caseId, member) in members)
        {
            var name = "cases/" + member.FileName;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await zip.AddStreamedAsync(name, long.MaxValue, async (entry, token) =>
            {
                var hashing = new HashingStream(entry, sha);
                try
                {
                    await member.WriteToAsync(hashing, token);
                }
                catch (EvidenceIntegrityException failure)
                {
                    throw new CampaignMemberIntegrityException(caseId, member.Reference, failure);
                }

                await hashing.FlushAsync(token);
                size = hashing.Written;
            }, cancellationToken);
            entries.Add((new BundleEntry(name, "application/zip", size, Convert.ToHexStringLower(sha.GetHashAndReset())), member.Reference));
        }

        var key = Encoding.ASCII.GetBytes(signingKey.PublicKeyPem);
        await zip.AddAsync(BuildCaseBundleHandler.PublicKeyName, key, cancellationToken);
        entries.Add((new BundleEntry(BuildCaseBundleHandler.PublicKeyName, "application/x-pem-file", key.Length, Convert.ToHexStringLower(SHA256.HashData(key))), null));

        var sums = new StringBuilder();
        foreach (var (entry, _) in entries)
        {
            sums.Append(entry.Sha256).Append("  ").Append(entry.Name).Append('\n');
        }

        var sumBytes = Encoding.ASCII.GetBytes(sums.ToString());
        await zip.AddAsync(BuildCaseBundleHandler.ChecksumsName, sumBytes, cancellationToken);
        entries.Add((new BundleEntry(BuildCaseBundleHandler.ChecksumsName, "text/plain", sumBytes.Length, Convert.ToHexStringLower(SHA256.HashData(sumBytes))), null));

        var manifest = BundleDocuments.Json(w =>
        {
            w.WriteString("format", Format);
            w.WriteString("campaignReference", campaign.Reference);
            w.WriteNumber("campaignVersion", campaign.Version);
            w.WriteStartObject("generator");
            w.WriteString("name", "Portal");
            w.WriteString("version", BuildCaseBundleHandler.GeneratorVersion);
            w.WriteEndObject();
            w.WriteString("generatedAt", BundleDocuments.Utc(generatedAt));
            w.WriteStartObject("approval");
            w.WriteString("approvedBy", approval.ApprovedById);
            w.WriteString("approvedAt", BundleDocuments.Utc(approval.ApprovedAt));
            w.WriteString("downloadedBy", downloaderId);
            w.WriteEndObject();
            w.WriteStartObject("signature");
            w.WriteString("file", BuildCaseBundleHandler.SignatureName);
            w.WriteString("algorithm", "ECDSA P-256 with SHA-256, DER (openssl dgst -sha256 -verify)");
            w.WriteString("publicKey", BuildCaseBundleHandler.PublicKeyName);
            w.WriteString("publicKeySha256", signingKey.Fingerprint);
            w.WriteEndObject();
            w.WriteStartArray("files");
            foreach (var (entry, caseReference) in entries)
            {
                w.WriteStartObject();
                w.WriteString("name", entry.Name);
                if (caseReference is not null)
                {
                    w.WriteString("caseReference", caseReference);
                }

                w.WriteString("mediaType", entry.MediaType);
                w.WriteNumber("size", entry.Size);
                w.WriteString("sha256", entry.Sha256);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        await zip.AddAsync(BuildCaseBundleHandler.ManifestName, manifest, cancellationToken);
        await zip.AddAsync(BuildCaseBundleHandler.SignatureName, signingKey.Sign(manifest), cancellationToken);
        await zip.FinishAsync(cancellationToken);
    }

    private Task<List<ConsentingCase>> ConsentingCasesAsync(Guid campaignId, CancellationToken cancellationToken) => (
        from m in db.CampaignCases
        join c in db.Cases on m.CaseId equals c.Id
        where m.CampaignId == campaignId && c.ConsentPolice
        orderby c.CreatedAt, c.Id
        select new ConsentingCase(c.Id, c.Reference)).ToListAsync(cancellationToken);

    /// <summary>Which consenting cases a page showed, in one value its approval form sends back: a SHA-256 over their sorted ids.</summary>
    private static string CaseSet(IEnumerable<ConsentingCase> cases) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Join('\n', cases.Select(c => c.Id.ToString("D")).Order(StringComparer.Ordinal)))));

    /// <summary>The newest of the approvals that covers every case the bundle would hold now, if any.</summary>
    private static CampaignExportApproval? Covering(IReadOnlyList<CampaignExportApproval> approvals, IReadOnlyList<ConsentingCase> cases) =>
        approvals.FirstOrDefault(a => cases.All(c => a.CaseIds.Contains(c.Id)));

    private Task<Campaign?> LiveCampaignAsync(Guid campaignId, CancellationToken cancellationToken) =>
        db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId && c.RetiredAt == null, cancellationToken);

    /// <summary>The approvals of the campaign's current version that have not expired, newest first.</summary>
    private async Task<List<CampaignExportApproval>> LiveApprovalsAsync(Campaign campaign, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow().UtcDateTime - options.Value.CampaignApprovalLifetime;
        return await db.CampaignExportApprovals.AsNoTracking()
            .Where(a => a.CampaignId == campaign.Id && a.CampaignVersion == campaign.Version && a.ApprovedAt > since)
            .OrderByDescending(a => a.ApprovedAt).ThenByDescending(a => a.Id)
            .ToListAsync(cancellationToken);
    }

    private sealed record ConsentingCase(Guid Id, string Reference);

    /// <summary>Which member case the evidence that failed while streaming belongs to.</summary>
    private sealed class CampaignMemberIntegrityException(Guid caseId, string reference, EvidenceIntegrityException evidence)
        : Exception(evidence.Message, evidence)
    {
        public Guid CaseId { get; } = caseId;

        public string Reference { get; } = reference;

        public EvidenceIntegrityException Evidence { get; } = evidence;
    }

    /// <summary>Passes writes through while hashing them: a member bundle's SHA-256 and size without holding it.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash sha) : ObservingWriteStream
    {
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => throw new NotSupportedException("Bundles are written asynchronously.");

        protected override void Observe(ReadOnlySpan<byte> bytes) => sha.AppendData(bytes);

        protected override ValueTask PassOnAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
            inner.WriteAsync(bytes, cancellationToken);
    }
}
