using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Core.Data;

/// <summary>
/// The portal's one model. Each provider has a context type of its own only so that dotnet-ef
/// keeps one migrations set and snapshot per provider (docs/decisions/0019); everything else
/// asks for this type.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : IdentityDbContext<StaffUser>(options)
{
    public DbSet<Case> Cases => Set<Case>();

    public DbSet<Notice> Notices => Set<Notice>();

    public DbSet<EvidenceFile> EvidenceFiles => Set<EvidenceFile>();

    public DbSet<CaseIndicator> CaseIndicators => Set<CaseIndicator>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<TriageDecision> TriageDecisions => Set<TriageDecision>();

    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();

    public DbSet<StaffInvitation> StaffInvitations => Set<StaffInvitation>();

    public DbSet<CaseMessage> CaseMessages => Set<CaseMessage>();

    public DbSet<CannedResponse> CannedResponses => Set<CannedResponse>();
    public DbSet<Partner> Partners => Set<Partner>();

    public DbSet<Referral> Referrals => Set<Referral>();

    public DbSet<ReferralAssignment> ReferralAssignments => Set<ReferralAssignment>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();

    public DbSet<CampaignCase> CampaignCases => Set<CampaignCase>();

    public DbSet<CampaignExportApproval> CampaignExportApprovals => Set<CampaignExportApproval>();

    public DbSet<CampaignClusteringState> CampaignClusteringStates => Set<CampaignClusteringState>();

    public DbSet<CampaignAction> CampaignActions => Set<CampaignAction>();

    public DbSet<CampaignActionCase> CampaignActionCases => Set<CampaignActionCase>();

    public DbSet<JobFailure> JobFailures => Set<JobFailure>();

    public DbSet<SupervisorAlert> SupervisorAlerts => Set<SupervisorAlert>();

    public DbSet<ReportDraft> ReportDrafts => Set<ReportDraft>();

    public DbSet<ShownReceipt> ShownReceipts => Set<ShownReceipt>();

    public DbSet<ReceiptKeyRequest> ReceiptKeyRequests => Set<ReceiptKeyRequest>();

    public DbSet<ForwardingAddress> ForwardingAddresses => Set<ForwardingAddress>();

    public DbSet<EvidenceRefusal> EvidenceRefusals => Set<EvidenceRefusal>();

    public DbSet<IntakeStatistics> IntakeStatistics => Set<IntakeStatistics>();
    public DbSet<DiaryEntry> DiaryEntries => Set<DiaryEntry>();

    public DbSet<DeadlineReminder> DeadlineReminders => Set<DeadlineReminder>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is UTC. SQLite hands DateTime back unspecified and Npgsql insists on
        // UTC for timestamptz, so the kind is restored on the way in and out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<decimal>().HavePrecision(18, 8);
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

/// <summary>The embedded default's context: migrations under Data/Migrations/Sqlite.</summary>
public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options);

/// <summary>The scale-out context: migrations under Data/Migrations/Postgres.</summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options);
