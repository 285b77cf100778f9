using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;

namespace Portal.Core.Features.Audit;

/// <summary>What happened, by whom, to which case; the trail adds time, chain and MAC.</summary>
public sealed record AuditEvent(string Action, AuditActor ActorKind, string? ActorId = null, Guid? CaseId = null, string? Subject = null, string? Detail = null, IPAddress? IpAddress = null)
{
    public static AuditEvent Staff(string action, string? userId, IPAddress? ip, Guid? caseId = null, string? subject = null, string? detail = null) =>
        new(action, AuditActor.Staff, userId, caseId, subject, detail, ip);

    /// <summary>Victims are recorded by case only: no address, no identity.</summary>
    public static AuditEvent Victim(string action, Guid caseId, string? subject = null, string? detail = null) =>
        new(action, AuditActor.Victim, null, caseId, subject, detail);

    public static AuditEvent System(string action, Guid? caseId = null, string? subject = null, string? detail = null) =>
        new(action, AuditActor.System, null, caseId, subject, detail);
}

/// <summary>Names of recorded actions, shared by writers and the trail viewer.</summary>
public static class AuditActions
{
    public const string StaffSignIn = "staff.sign-in";
    public const string StaffSignInFailed = "staff.sign-in-failed";
    public const string StaffSignOut = "staff.sign-out";
    public const string TwoFactorEnabled = "staff.two-factor-enabled";
    public const string RecoveryCodesReplaced = "staff.recovery-codes-replaced";
    public const string AdminCreated = "admin.created";
    public const string NoticePosted = "notice.posted";

    public const string NoticeWithdrawn = "notice.withdrawn";
    public const string ReportSubmitted = "report.submitted";
    public const string CaseOpenedWithReceipt = "case.opened-with-receipt";
    public const string ReceiptReissued = "report.receipt-reissued";
    public const string ReportDetailsConfirmed = "report.details-confirmed";
    public const string CaseSessionEnded = "case.session-ended";
    public const string ReceiptReissuedByEmail = "receipt.reissued-by-email";
    public const string ReceiptKeyEmailed = "receipt.key-emailed";
    public const string ConsentGiven = "consent.given";
    public const string ConsentWithdrawn = "consent.withdrawn";
    public const string ReferralWithdrawn = "referral.withdrawn";
    public const string ReferralReopened = "referral.reopened";
    public const string ReferralWithdrawalNotified = "referral.withdrawal-notified";
    public const string EvidenceAdded = "evidence.added";
    public const string EvidenceDownloaded = "evidence.downloaded";
    public const string EvidenceTampered = "evidence.integrity-failed";
    public const string CaseClaimed = "case.claimed";
    public const string CaseReleased = "case.released";
    public const string CaseViewed = "case.viewed";
    public const string AccessDenied = "access.denied";
    public const string EvidenceOpened = "evidence.opened";
    public const string TriageDecided = "triage.decided";
    public const string RolesChanged = "admin.roles-changed";
    public const string UserDisabled = "admin.user-disabled";
    public const string UserEnabled = "admin.user-enabled";
    public const string TwoFactorReset = "admin.two-factor-reset";

    // Messaging
    public const string MessageSent = "message.sent";
    public const string MessageReceived = "message.received";
    public const string MessageViewed = "message.viewed";
    public const string VictimNotified = "message.victim-notified";
    public const string CannedResponseSaved = "canned-response.saved";
    public const string CannedResponseDeleted = "canned-response.deleted";

    // Staff invitations and supervisors' reassignment of claims
    public const string InvitationSent = "admin.invitation-sent";
    public const string InvitationResent = "admin.invitation-resent";
    public const string InvitationRevoked = "admin.invitation-revoked";
    public const string InvitationAccepted = "staff.invitation-accepted";
    public const string CaseReassigned = "case.reassigned";

    // Routing and partners
    public const string PartnerCreated = "partner.created";
    public const string PartnerUpdated = "partner.updated";
    public const string PartnerDeleted = "partner.deleted";
    public const string StaffPartnerSet = "admin.staff-partner-set";
    public const string ReferralAssigned = "referral.assigned";
    public const string ReferralUnassigned = "referral.unassigned";
    public const string ReferralEscalated = "referral.escalated";
    public const string ReferralRetried = "referral.retried";
    public const string ReferralViewed = "referral.viewed";
    public const string ReferralAcknowledged = "referral.acknowledged";
    public const string ReferralAccepted = "referral.accepted";
    public const string ReferralDeclined = "referral.declined";
    public const string ReferralOutcomeRecorded = "referral.outcome-recorded";
    public const string PoliceReportNumberRecorded = "referral.police-report-number";
    // Evidence bundles
    public const string StaffReauthenticated = "staff.reauthenticated";
    public const string StaffReauthenticationFailed = "staff.reauthentication-failed";
    public const string BundleDownloaded = "bundle.downloaded";
    // Campaigns and the supervisor dashboard
    public const string CampaignsListed = "campaign.list-viewed";
    public const string CampaignViewed = "campaign.viewed";
    public const string CampaignsRecomputed = "campaign.recomputed";

    // Supervisors' actions on a whole campaign (each case also gets its own entry)
    public const string CampaignActionPreviewed = "campaign.action-previewed";
    public const string CampaignActionStarted = "campaign.action-started";
    public const string CampaignActionRefused = "campaign.action-refused";
    public const string CampaignActionFinished = "campaign.action-finished";

    // Anonymous statistics for funders and helpline leads
    public const string StatisticsExported = "statistics.exported";

    // Campaign bundles: a supervisor approves, someone else in police downloads
    public const string CampaignExportApproved = "campaign.export-approved";
    public const string CampaignBundleDownloaded = "campaign.bundle-downloaded";
    public const string CampaignBundleRefused = "campaign.bundle-refused";
    // Jobs and retention
    public const string CaseRetained = "case.retained";
    public const string JobRetried = "job.retried";
    // Written by the jobs page that the Hangfire dashboard replaced (decision 0024): kept so that entries already in a trail keep their label.
    public const string JobPaused = "job.paused";
    public const string JobResumed = "job.resumed";

    // Forwarding intake: the victim's private address, and what was forwarded but not kept
    public const string ForwardingAddressReplaced = "case.forwarding-address-replaced";
    public const string EvidenceRefused = "evidence.refused";
    public const string JobDeleted = "job.deleted";
    public const string JobTriggered = "job.triggered";
    public const string JobRemoved = "job.recurring-removed";
    // The victim's case file: diary, documents, the download, deadline reminders
    public const string DiaryEntryAdded = "diary.added";
    public const string DiaryEntryChanged = "diary.changed";
    public const string DiaryEntryDeleted = "diary.deleted";
    public const string DocumentAdded = "document.added";
    public const string DocumentShared = "document.shared";
    public const string DocumentUnshared = "document.unshared";
    public const string DocumentDeleted = "document.deleted";
    public const string CaseFileDownloaded = "case-file.downloaded";
    public const string CaseFileRefused = "case-file.refused";
    public const string DeadlineReminderSent = "deadline.reminder-sent";
}

/// <summary>
/// The append-only, hash-chained audit trail. Appends are serialised through the chain head row
/// (an UPDATE takes the row lock on PostgreSQL and the write lock on SQLite), so the chain has no
/// forks even with many nodes. The MAC key ("audit-mac") lives in the key directory, not the database.
/// </summary>
public sealed class AuditTrail(PortalDbContext db, IKeySource keys, TimeProvider clock)
{
    public const string SecretName = "audit-mac";
    public const int HeadId = AuditChainHead.SingletonId;

    public async Task<long> AppendAsync(AuditEvent audit, CancellationToken cancellationToken) =>
        (await AppendManyAsync([audit], cancellationToken))[0];

    /// <summary>
    /// Whether the trail records <paramref name="action"/> on <paramref name="subject"/> (of that
    /// case, with that detail, when given). A use case whose row is gone asks it to tell "done
    /// before" (a second click lands where the first did) from "never there" (404).
    /// </summary>
    public Task<bool> RecordsAsync(string action, string subject, Guid? caseId, CancellationToken cancellationToken, string? detail = null) =>
        db.AuditEntries.AnyAsync(
            e => e.Action == action && e.Subject == subject && (caseId == null || e.CaseId == caseId) && (detail == null || e.Detail == detail),
            cancellationToken);

    /// <summary>
    /// Appends events in order, inside the caller's transaction when one is open (a use case's
    /// change and its entries commit together), else in a transaction of their own. The chain
    /// head's row is updated first, which serialises appends (the row lock on PostgreSQL, the
    /// write lock on SQLite) until the transaction ends; callers append last, just before commit.
    /// </summary>
    public Task<IReadOnlyList<long>> AppendManyAsync(IReadOnlyList<AuditEvent> audits, CancellationToken cancellationToken) =>
        audits.Count == 0
            ? Task.FromResult<IReadOnlyList<long>>([])
            : db.InTransactionAsync(token => AppendInTransactionAsync(audits, token), cancellationToken);

    private async Task<IReadOnlyList<long>> AppendInTransactionAsync(IReadOnlyList<AuditEvent> audits, CancellationToken cancellationToken)
    {
        // PostgreSQL: updating the head takes its row lock until the transaction ends, so the head
        // read next is the newest. SQLite: the transaction began IMMEDIATE and holds the write lock.
        if (db is not SqlitePortalDbContext)
        {
            await db.AuditChainHeads.Where(h => h.Id == HeadId)
                .ExecuteUpdateAsync(h => h.SetProperty(x => x.Version, x => x.Version + 1), cancellationToken);
        }

        var head = await db.AuditChainHeads.AsNoTracking().SingleAsync(h => h.Id == HeadId, cancellationToken);

        // The entries take the ids after the head's, so each MAC (which covers the id: a row moved
        // to another position does not verify) is known before the insert, and the entries, the
        // head and whatever the use case has not saved yet go to the database in one save.
        var key = keys.GetSecret(SecretName);

        // Microseconds: what PostgreSQL keeps, so the MAC input survives the round trip.
        var at = TruncateToMicroseconds(clock.GetUtcNow().UtcDateTime);
        var previous = head.LastMac;
        var entries = new List<AuditEntry>(audits.Count);
        foreach (var audit in audits)
        {
            var entry = new AuditEntry
            {
                Id = head.LastEntryId + entries.Count + 1,
                At = at,
                ActorKind = audit.ActorKind,
                ActorId = Limit(audit.ActorId, 450),
                Action = Limit(audit.Action, 64) ?? "",
                CaseId = audit.CaseId,
                Subject = Limit(audit.Subject, 200),
                Detail = Limit(audit.Detail, 500),
                IpAddress = audit.ActorKind == AuditActor.Staff ? audit.IpAddress?.ToString() : null,
                PreviousMac = previous,
                Mac = [],
            };
            entry.Mac = ComputeMac(key, entry);
            previous = entry.Mac;
            entries.Add(entry);
        }

        db.AuditEntries.AddRange(entries);
        head.LastEntryId = entries[^1].Id;
        head.LastMac = entries[^1].Mac;
        db.AuditChainHeads.Attach(head).Property(h => h.LastEntryId).IsModified = true;
        db.Entry(head).Property(h => h.LastMac).IsModified = true;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            // Saved or not, the context does not keep them: the next append reads the head afresh.
            db.Entry(head).State = EntityState.Detached;
            foreach (var entry in entries)
            {
                db.Entry(entry).State = EntityState.Detached;
            }
        }

        return entries.Select(e => e.Id).ToList();
    }

    internal static byte[] ComputeMac(byte[] key, AuditEntry entry)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(entry.PreviousMac);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, entry.Id);
        hmac.AppendData(number);
        BinaryPrimitives.WriteInt64BigEndian(number, entry.At.Ticks);
        hmac.AppendData(number);
        BinaryPrimitives.WriteInt32BigEndian(number, (int)entry.ActorKind);
        hmac.AppendData(number[..4]);
        // The detail enters as a keyed digest, so retention can remove the text and keep the
        // digest (RedactedDetailDigest) without breaking the chain.
        var detailDigest = entry.Detail is null ? entry.RedactedDetailDigest : DetailDigest(key, entry.Detail);
        foreach (var bytes in new[] { Utf8(entry.ActorId), Utf8(entry.Action), Utf8(entry.CaseId?.ToString("N")), Utf8(entry.Subject), detailDigest, Utf8(entry.IpAddress) })
        {
            // Length-prefixed (-1 for null), so no two different entries feed the same bytes.
            BinaryPrimitives.WriteInt32BigEndian(number, bytes?.Length ?? -1);
            hmac.AppendData(number[..4]);
            if (bytes is not null)
            {
                hmac.AppendData(bytes);
            }
        }

        return hmac.GetHashAndReset();
    }

    /// <summary>
    /// Keyed, so a removed detail cannot be recovered by guessing short texts against it.
    /// </summary>
    internal static byte[] DetailDigest(byte[] key, string detail)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData("audit-detail\0"u8);
        hmac.AppendData(Encoding.UTF8.GetBytes(detail));
        return hmac.GetHashAndReset();
    }

    /// <summary>
    /// Removes the detail texts of a case's entries (retention), keeping each entry and its place
    /// in the chain: the digest the MAC covers replaces the text. Details that are only an outcome
    /// name (<paramref name="keepDetailOf"/>) stay. Returns how many entries were changed.
    /// </summary>
    public async Task<int> RedactCaseDetailsAsync(Guid caseId, IReadOnlySet<string> keepDetailOf, CancellationToken cancellationToken)
    {
        var key = keys.GetSecret(SecretName);
        var entries = await db.AuditEntries.Where(e => e.CaseId == caseId && e.Detail != null).ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var entry in entries.Where(e => !keepDetailOf.Contains(e.Action)))
        {
            entry.RedactedDetailDigest = DetailDigest(key, entry.Detail ?? "");
            entry.Detail = null;
            changed++;
        }

        await db.SaveChangesAsync(cancellationToken);
        return changed;
    }

    private static byte[]? Utf8(string? value) => value is null ? null : Encoding.UTF8.GetBytes(value);

    private static DateTime TruncateToMicroseconds(DateTime value) =>
        new(value.Ticks - (value.Ticks % 10), DateTimeKind.Utc);

    private static string? Limit(string? value, int length) =>
        value is null || value.Length <= length ? value : value[..length];
}

public sealed record AuditVerification(bool IsIntact, long EntriesChecked, long? BrokenEntryId, string? Problem);

/// <summary>Walks the whole chain from the start and names the first entry that does not verify.</summary>
public sealed class VerifyAuditTrail(PortalDbContext db, IKeySource keys)
{
    public async Task<AuditVerification> HandleAsync(CancellationToken cancellationToken)
    {
        var key = keys.GetSecret(AuditTrail.SecretName);
        var previous = new byte[32];
        long checkedCount = 0;
        long lastId = 0;
        long afterId = 0;
        while (true)
        {
            // In pages, so a trail of millions of entries verifies in bounded memory.
            var page = await db.AuditEntries.AsNoTracking().Where(e => e.Id > afterId).OrderBy(e => e.Id).Take(5000).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var entry in page)
            {
                if (!entry.PreviousMac.AsSpan().SequenceEqual(previous))
                {
                    return new AuditVerification(false, checkedCount, entry.Id, $"entry {entry.Id} does not follow entry {lastId}: an entry before it was deleted, inserted or edited");
                }

                if (!CryptographicOperations.FixedTimeEquals(AuditTrail.ComputeMac(key, entry), entry.Mac))
                {
                    return new AuditVerification(false, checkedCount, entry.Id, $"entry {entry.Id} was changed after it was written");
                }

                previous = entry.Mac;
                lastId = entry.Id;
                checkedCount++;
            }

            afterId = page[^1].Id;
        }

        var head = await db.AuditChainHeads.AsNoTracking().SingleOrDefaultAsync(h => h.Id == AuditTrail.HeadId, cancellationToken);
        if (head is null || head.LastEntryId != lastId || !head.LastMac.AsSpan().SequenceEqual(previous))
        {
            return new AuditVerification(false, checkedCount, head?.LastEntryId, $"the trail ends at entry {lastId} but its head records entry {head?.LastEntryId}: the newest entries were deleted");
        }

        return new AuditVerification(true, checkedCount, null, null);
    }
}
