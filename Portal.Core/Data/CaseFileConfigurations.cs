using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Data;

internal sealed class DiaryEntryConfiguration : IEntityTypeConfiguration<DiaryEntry>
{
    public void Configure(EntityTypeBuilder<DiaryEntry> entity)
    {
        entity.ToTable("DiaryEntries");
        entity.HasKey(d => d.Id);
        entity.HasOne<Case>().WithMany().HasForeignKey(d => d.CaseId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(d => new { d.CaseId, d.OccurredOn });
        entity.HasIndex(d => new { d.CaseId, d.SubmissionId }).IsUnique();
    }
}

internal sealed class DeadlineReminderConfiguration : IEntityTypeConfiguration<DeadlineReminder>
{
    public void Configure(EntityTypeBuilder<DeadlineReminder> entity)
    {
        entity.ToTable("DeadlineReminders");
        entity.HasKey(r => r.Id);
        entity.HasOne<Notice>().WithMany().HasForeignKey(r => r.NoticeId).OnDelete(DeleteBehavior.Cascade);
        entity.HasOne<Case>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Cascade);

        // The once-only guarantee: one reminder per deadline, case and stage, whichever run claims it.
        entity.HasIndex(r => new { r.NoticeId, r.CaseId, r.DaysBefore }).IsUnique();
        entity.HasIndex(r => r.CaseId);
    }
}
