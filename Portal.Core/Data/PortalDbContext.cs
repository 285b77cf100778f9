using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Core.Data;

public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : IdentityDbContext<StaffUser>(options)
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

    public DbSet<JobFailure> JobFailures => Set<JobFailure>();

    public DbSet<SupervisorAlert> SupervisorAlerts => Set<SupervisorAlert>();

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
