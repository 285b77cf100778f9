using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Data;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> entity)
    {
        entity.ToTable("Cases");
        entity.Property(c => c.SubmissionDigest).HasMaxLength(32);
        entity.HasKey(c => c.Id);
        entity.Property(c => c.Reference).HasMaxLength(16);
        entity.HasIndex(c => c.Reference).IsUnique();
        entity.HasIndex(c => c.SubmissionId).IsUnique();
        entity.Property(c => c.ReceiptHash).HasMaxLength(32);
        entity.Property(c => c.EarlierReceiptHashes).HasMaxLength(Features.Reports.ReceiptHasher.EarlierKeysKept * 32);
        entity.Property(c => c.Language).HasMaxLength(8);
        entity.Property(c => c.SenderAddress).HasMaxLength(320);
        entity.Property(c => c.Currency).HasMaxLength(8);
        entity.Property(c => c.PaymentAddress).HasMaxLength(128);
        entity.Property(c => c.BreachOrganisation).HasMaxLength(64);
        entity.Property(c => c.Region).HasMaxLength(32);
        entity.Property(c => c.ClaimedById).HasMaxLength(450);

        // The triage queue's order, for open cases only: the page is read straight off this
        // index instead of sorting every open case (Received = 0, InTriage = 1).
        entity.HasIndex(c => new { c.Priority, c.CreatedAt, c.Id }, "IX_Cases_Queue")
            .IsDescending(true, false, false)
            .HasFilter("\"Status\" IN (0, 1)");
        entity.HasIndex(c => c.ClaimedById);

        // The supervisor dashboard: reports per day and time to first response over a recent
        // window (range scans that never read the table), and counts per language.
        entity.HasIndex(c => new { c.CreatedAt, c.FirstResponseSeconds });
        // The median's two middle rows are read in this order instead of sorting the window.
        entity.HasIndex(c => new { c.FirstResponseSeconds, c.CreatedAt }).HasFilter("\"FirstResponseSeconds\" IS NOT NULL");
        entity.HasIndex(c => new { c.Language, c.Status });
    }
}

internal sealed class ReportDraftConfiguration : IEntityTypeConfiguration<ReportDraft>
{
    public void Configure(EntityTypeBuilder<ReportDraft> entity)
    {
        entity.ToTable("ReportDrafts");
        entity.HasKey(d => d.Id);
        entity.Property(d => d.TokenHash).HasMaxLength(32);
        entity.HasIndex(d => d.TokenHash).IsUnique();
        entity.HasIndex(d => d.ExpiresAt);
    }
}

internal sealed class ShownReceiptConfiguration : IEntityTypeConfiguration<ShownReceipt>
{
    public void Configure(EntityTypeBuilder<ShownReceipt> entity)
    {
        entity.ToTable("ShownReceipts");
        entity.HasKey(r => r.CaseId);
        entity.HasOne<Case>().WithOne().HasForeignKey<ShownReceipt>(r => r.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(r => r.ExpiresAt);
    }
}

internal sealed class ReceiptKeyRequestConfiguration : IEntityTypeConfiguration<ReceiptKeyRequest>
{
    public void Configure(EntityTypeBuilder<ReceiptKeyRequest> entity)
    {
        entity.ToTable("ReceiptKeyRequests");
        entity.HasKey(r => r.Id);
        entity.HasIndex(r => r.RequestedAt);
    }
}

internal sealed class NoticeConfiguration : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> entity)
    {
        entity.ToTable("Notices");
        entity.HasKey(n => n.Id);
        entity.Property(n => n.TitleEn).HasMaxLength(200);
        entity.Property(n => n.TitleFi).HasMaxLength(200);
        entity.Property(n => n.TitleSv).HasMaxLength(200);
        entity.Property(n => n.AuthorId).HasMaxLength(450);
        entity.Property(n => n.AudienceBreachOrganisation).HasMaxLength(64);
        entity.HasIndex(n => n.PublishedAt);
        entity.HasIndex(n => n.SubmissionId).IsUnique();
        entity.HasIndex(n => n.DeadlineOn);
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> entity)
    {
        entity.ToTable("DataProtectionKeys");
        entity.HasKey(k => k.Id);
        entity.Property(k => k.FriendlyName).HasMaxLength(200);
    }
}

internal sealed class EvidenceFileConfiguration : IEntityTypeConfiguration<EvidenceFile>
{
    public void Configure(EntityTypeBuilder<EvidenceFile> entity)
    {
        entity.ToTable("EvidenceFiles");
        entity.HasKey(e => e.Id);
        entity.Property(e => e.MediaType).HasMaxLength(100);
        entity.Property(e => e.Sha256).HasMaxLength(32);
        entity.Property(e => e.KeyId).HasMaxLength(64);
        entity.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Cascade);
        // The same file is kept once per case and purpose: a receipt may be evidence and a document.
        entity.HasIndex(e => new { e.CaseId, e.Purpose, e.Sha256 }).IsUnique();
        entity.Property(e => e.AnalysisNote).HasMaxLength(200);

        // The analysis sweep looks for what is still pending.
        entity.HasIndex(e => e.AnalysisState);

        // The same email forwarded twice is found by its Message-ID within the case.
        entity.Property(e => e.MessageIdMac).HasMaxLength(32);
        entity.HasIndex(e => new { e.CaseId, e.MessageIdMac });

        // The notification sweep reads only the few forwarded files the victim is still to be told about.
        entity.HasIndex(e => e.NotificationPending, "IX_EvidenceFiles_NotificationPending").HasFilter("\"NotificationPending\"");
    }
}

internal sealed class ForwardingAddressConfiguration : IEntityTypeConfiguration<ForwardingAddress>
{
    public void Configure(EntityTypeBuilder<ForwardingAddress> entity)
    {
        entity.ToTable("ForwardingAddresses");
        entity.HasKey(a => a.CaseId);
        entity.Property(a => a.TokenHash).HasMaxLength(32);
        entity.HasIndex(a => a.TokenHash).IsUnique();
        entity.HasOne<Case>().WithOne().HasForeignKey<ForwardingAddress>(a => a.CaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EvidenceRefusalConfiguration : IEntityTypeConfiguration<EvidenceRefusal>
{
    public void Configure(EntityTypeBuilder<EvidenceRefusal> entity)
    {
        entity.ToTable("EvidenceRefusals");
        entity.HasKey(r => r.Id);
        entity.Property(r => r.Reason).HasMaxLength(32);
        entity.HasOne<Case>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(r => new { r.CaseId, r.RefusedAt });
    }
}

internal sealed class IntakeStatisticsConfiguration : IEntityTypeConfiguration<IntakeStatistics>
{
    public void Configure(EntityTypeBuilder<IntakeStatistics> entity)
    {
        entity.ToTable("IntakeStatistics");
        entity.HasKey(s => s.Id);
        entity.Property(s => s.Id).ValueGeneratedNever();
        entity.HasData(new IntakeStatistics { Id = IntakeStatistics.SingletonId });
    }
}

internal sealed class CaseIndicatorConfiguration : IEntityTypeConfiguration<CaseIndicator>
{
    public void Configure(EntityTypeBuilder<CaseIndicator> entity)
    {
        entity.ToTable("CaseIndicators");
        entity.HasKey(i => i.Id);
        entity.Property(i => i.ValueMac).HasMaxLength(32);
        entity.Property(i => i.Detail).HasMaxLength(128);
        entity.HasOne<Case>().WithMany().HasForeignKey(i => i.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<EvidenceFile>().WithMany().HasForeignKey(i => i.EvidenceFileId).OnDelete(DeleteBehavior.SetNull);
        entity.HasIndex(i => new { i.CaseId, i.Kind, i.ValueMac }).IsUnique();
        entity.HasIndex(i => new { i.Kind, i.ValueMac });
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entity)
    {
        entity.ToTable("AuditEntries");
        entity.HasKey(e => e.Id);
        entity.Property(e => e.ActorId).HasMaxLength(450);
        entity.Property(e => e.Action).HasMaxLength(64);
        entity.Property(e => e.Subject).HasMaxLength(200);
        entity.Property(e => e.Detail).HasMaxLength(500);
        entity.Property(e => e.IpAddress).HasMaxLength(64);
        entity.Property(e => e.PreviousMac).HasMaxLength(32);
        entity.Property(e => e.Mac).HasMaxLength(32);
        entity.Property(e => e.RedactedDetailDigest).HasMaxLength(32);
        entity.HasIndex(e => new { e.CaseId, e.Id });
        entity.HasIndex(e => new { e.Action, e.Id });
        entity.HasIndex(e => new { e.ActorId, e.Id });
    }
}

internal sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> entity)
    {
        entity.ToTable("AuditChainHeads");
        entity.HasKey(h => h.Id);
        entity.Property(h => h.Id).ValueGeneratedNever();
        entity.Property(h => h.LastMac).HasMaxLength(32);

        // The one head row the first append updates; the chain starts from 32 zero bytes.
        entity.HasData(new AuditChainHead { Id = AuditChainHead.SingletonId, LastEntryId = 0, LastMac = new byte[32], Version = 0 });
    }
}

internal sealed class TriageDecisionConfiguration : IEntityTypeConfiguration<TriageDecision>
{
    public void Configure(EntityTypeBuilder<TriageDecision> entity)
    {
        entity.ToTable("TriageDecisions");
        entity.HasKey(d => d.Id);
        entity.Property(d => d.Reason).HasMaxLength(500);
        entity.Property(d => d.DecidedById).HasMaxLength(450);
        entity.HasOne<Case>().WithMany().HasForeignKey(d => d.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(d => d.CaseId);

        // Statistics count decisions per route over a window of days.
        entity.HasIndex(d => new { d.DecidedAt, d.Route });
    }
}

internal sealed class CaseMessageConfiguration : IEntityTypeConfiguration<CaseMessage>
{
    public void Configure(EntityTypeBuilder<CaseMessage> entity)
    {
        entity.ToTable("CaseMessages");
        entity.HasKey(m => m.Id);
        entity.Property(m => m.AuthorId).HasMaxLength(450);
        entity.HasOne<Case>().WithMany().HasForeignKey(m => m.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(m => new { m.CaseId, m.SentAt });
        entity.HasIndex(m => new { m.Direction, m.ReadAt });
        entity.HasIndex(m => new { m.CaseId, m.SubmissionId }).IsUnique();

        // The notification sweep reads only the few messages still waiting for an email.
        entity.HasIndex(m => m.NotificationPending, "IX_CaseMessages_NotificationPending").HasFilter("\"NotificationPending\"");
    }
}

internal sealed class CannedResponseConfiguration : IEntityTypeConfiguration<CannedResponse>
{
    public void Configure(EntityTypeBuilder<CannedResponse> entity)
    {
        entity.ToTable("CannedResponses");
        entity.HasKey(r => r.Id);
        entity.Property(r => r.Title).HasMaxLength(100);
        entity.Property(r => r.BodyEn).HasMaxLength(CannedResponse.MaxBodyLength);
        entity.Property(r => r.BodyFi).HasMaxLength(CannedResponse.MaxBodyLength);
        entity.Property(r => r.BodySv).HasMaxLength(CannedResponse.MaxBodyLength);
        entity.HasIndex(r => r.SubmissionId).IsUnique();
        entity.Property(r => r.UpdatedById).HasMaxLength(450);
        entity.HasIndex(r => r.Title);
    }
}

internal sealed class StaffInvitationConfiguration : IEntityTypeConfiguration<StaffInvitation>
{
    public void Configure(EntityTypeBuilder<StaffInvitation> entity)
    {
        entity.ToTable("StaffInvitations");
        entity.HasKey(i => i.Id);
        entity.Property(i => i.Email).HasMaxLength(256);
        entity.Property(i => i.NormalizedEmail).HasMaxLength(256);
        entity.Property(i => i.Roles).HasMaxLength(200);
        entity.Property(i => i.Language).HasMaxLength(8);
        entity.Property(i => i.TokenHash).HasMaxLength(32);
        entity.Property(i => i.InvitedById).HasMaxLength(450);
        entity.Property(i => i.AcceptedUserId).HasMaxLength(450);
        entity.HasIndex(i => i.TokenHash).IsUnique();
        entity.HasIndex(i => i.NormalizedEmail);
    }
}

internal sealed class PartnerConfiguration : IEntityTypeConfiguration<Partner>
{
    public void Configure(EntityTypeBuilder<Partner> entity)
    {
        entity.ToTable("Partners");
        entity.HasKey(p => p.Id);
        entity.Property(p => p.Name).HasMaxLength(200);
        entity.Property(p => p.ContactEmail).HasMaxLength(320);
        entity.Property(p => p.Regions).HasMaxLength(1000).HasConversion(KeyList.Converter, KeyList.Comparer);
        entity.Property(p => p.Languages).HasMaxLength(100).HasConversion(KeyList.Converter, KeyList.Comparer);
        entity.Ignore(p => p.ServesAllRegions);
        entity.HasIndex(p => p.Name).IsUnique();
    }
}

/// <summary>Short lists of keys (regions, languages) in one comma-separated column: read whole, never queried inside.</summary>
internal static class KeyList
{
    public static readonly Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<List<string>, string> Converter = new(
        v => string.Join(',', v),
        v => v.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList());

    public static readonly ValueComparer<List<string>> Comparer = new(
        (a, b) => (a == null && b == null) || (a != null && b != null && a.SequenceEqual(b)),
        v => v.Aggregate(0, (hash, key) => HashCode.Combine(hash, key.GetHashCode(StringComparison.Ordinal))),
        v => v.ToList());
}

internal sealed class StaffUserPartnerConfiguration : IEntityTypeConfiguration<StaffUser>
{
    public void Configure(EntityTypeBuilder<StaffUser> entity)
    {
        entity.HasOne<Partner>().WithMany().HasForeignKey(u => u.PartnerId).OnDelete(DeleteBehavior.SetNull);
        entity.HasIndex(u => u.PartnerId);
    }
}

internal sealed class ReferralConfiguration : IEntityTypeConfiguration<Referral>
{
    public void Configure(EntityTypeBuilder<Referral> entity)
    {
        entity.ToTable("Referrals");
        entity.HasKey(r => r.Id);
        entity.Property(r => r.OutcomeNote).HasMaxLength(500);
        entity.Property(r => r.PoliceReportNumber).HasMaxLength(40);
        entity.Property(r => r.Version).IsConcurrencyToken();
        entity.HasOne<Case>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<Partner>().WithMany().HasForeignKey(r => r.PartnerId).OnDelete(DeleteBehavior.Restrict);

        // The outbox's idempotency key: a case goes to each type of partner once.
        entity.HasIndex(r => new { r.CaseId, r.PartnerType }).IsUnique();
        entity.HasIndex(r => new { r.PartnerId, r.Status });
        entity.HasIndex(r => new { r.Status, r.UpdatedAt });
    }
}

internal sealed class ReferralAssignmentConfiguration : IEntityTypeConfiguration<ReferralAssignment>
{
    public void Configure(EntityTypeBuilder<ReferralAssignment> entity)
    {
        entity.ToTable("ReferralAssignments");
        entity.HasKey(a => a.Id);
        entity.Property(a => a.DeclineReason).HasMaxLength(500);
        entity.HasOne<Referral>().WithMany().HasForeignKey(a => a.ReferralId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<Partner>().WithMany().HasForeignKey(a => a.PartnerId).OnDelete(DeleteBehavior.Restrict);

        // A partner never gets the same referral twice, and two routing runs cannot both assign it.
        entity.HasIndex(a => new { a.ReferralId, a.PartnerId }).IsUnique();

        // Today's assignments per partner: the capacity count.
        entity.HasIndex(a => new { a.PartnerId, a.AssignedAt });
    }
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> entity)
    {
        entity.ToTable("Campaigns");
        entity.HasKey(c => c.Id);
        entity.Property(c => c.Reference).HasMaxLength(16);
        entity.HasIndex(c => c.Reference).IsUnique();
        entity.HasIndex(c => c.RetiredAt);
    }
}

internal sealed class CampaignCaseConfiguration : IEntityTypeConfiguration<CampaignCase>
{
    public void Configure(EntityTypeBuilder<CampaignCase> entity)
    {
        entity.ToTable("CampaignCases");
        entity.HasKey(c => c.CaseId);
        entity.HasOne<Case>().WithOne().HasForeignKey<CampaignCase>(c => c.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<Campaign>().WithMany().HasForeignKey(c => c.CampaignId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(c => c.CampaignId);
    }
}

internal sealed class CampaignClusteringStateConfiguration : IEntityTypeConfiguration<CampaignClusteringState>
{
    public void Configure(EntityTypeBuilder<CampaignClusteringState> entity)
    {
        entity.ToTable("CampaignClusteringState");
        entity.HasKey(s => s.Id);
        entity.Property(s => s.Id).ValueGeneratedNever();
        entity.HasData(new CampaignClusteringState { Id = CampaignClusteringState.SingletonId, LastRunAt = null, Runs = 0 });
    }
}

internal sealed class CampaignExportApprovalConfiguration : IEntityTypeConfiguration<CampaignExportApproval>
{
    public void Configure(EntityTypeBuilder<CampaignExportApproval> entity)
    {
        entity.ToTable("CampaignExportApprovals");
        entity.HasKey(a => a.Id);
        entity.Property(a => a.ApprovedById).HasMaxLength(450);
        entity.HasOne<Campaign>().WithMany().HasForeignKey(a => a.CampaignId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(a => new { a.CampaignId, a.CampaignVersion });
    }
}

internal sealed class CampaignActionConfiguration : IEntityTypeConfiguration<CampaignAction>
{
    public void Configure(EntityTypeBuilder<CampaignAction> entity)
    {
        entity.ToTable("CampaignActions");
        entity.HasKey(a => a.Id);
        entity.Property(a => a.ReplyTitle).HasMaxLength(100);
        entity.Property(a => a.ReplyEn).HasMaxLength(CannedResponse.MaxBodyLength);
        entity.Property(a => a.ReplyFi).HasMaxLength(CannedResponse.MaxBodyLength);
        entity.Property(a => a.ReplySv).HasMaxLength(CannedResponse.MaxBodyLength);
        entity.Property(a => a.Note).HasMaxLength(CampaignAction.MaxNoteLength);
        entity.Property(a => a.RequestedById).HasMaxLength(450);
        entity.HasOne<Campaign>().WithMany().HasForeignKey(a => a.CampaignId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(a => new { a.CampaignId, a.State });

        // The runner looks for actions still running.
        entity.HasIndex(a => a.State);
    }
}

internal sealed class CampaignActionCaseConfiguration : IEntityTypeConfiguration<CampaignActionCase>
{
    public void Configure(EntityTypeBuilder<CampaignActionCase> entity)
    {
        entity.ToTable("CampaignActionCases");
        entity.HasKey(c => new { c.ActionId, c.CaseId });
        entity.HasOne<CampaignAction>().WithMany().HasForeignKey(c => c.ActionId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<Case>().WithMany().HasForeignKey(c => c.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(c => c.CaseId);

        // The next batch: the cases not done yet, in order, read off this index alone.
        entity.HasIndex(c => new { c.ActionId, c.CaseId }, "IX_CampaignActionCases_Pending").HasFilter("\"Outcome\" IS NULL");
    }
}

internal sealed class JobFailureConfiguration : IEntityTypeConfiguration<JobFailure>
{
    public void Configure(EntityTypeBuilder<JobFailure> entity)
    {
        entity.ToTable("JobFailures");
        entity.HasKey(f => f.Id);
        entity.Property(f => f.JobKey).HasMaxLength(200);
        entity.Property(f => f.Subject).HasMaxLength(200);
        entity.Property(f => f.ErrorType).HasMaxLength(200);
        entity.Property(f => f.ErrorMessage).HasMaxLength(1000);
        entity.HasIndex(f => f.FailedAt);
        entity.HasIndex(f => new { f.JobKey, f.ResolvedAt });
    }
}

internal sealed class SupervisorAlertConfiguration : IEntityTypeConfiguration<SupervisorAlert>
{
    public void Configure(EntityTypeBuilder<SupervisorAlert> entity)
    {
        entity.ToTable("SupervisorAlerts");
        entity.HasKey(a => a.Id);
        entity.HasOne<Case>().WithMany().HasForeignKey(a => a.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(a => new { a.CaseId, a.Kind }).IsUnique();
    }
}
