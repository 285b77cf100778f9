using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Data;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> entity)
    {
        entity.ToTable("Cases");
        entity.HasKey(c => c.Id);
        entity.Property(c => c.Reference).HasMaxLength(16);
        entity.HasIndex(c => c.Reference).IsUnique();
        entity.HasIndex(c => c.SubmissionId).IsUnique();
        entity.Property(c => c.ReceiptHash).HasMaxLength(32);
        entity.Property(c => c.Language).HasMaxLength(8);
        entity.Property(c => c.SenderAddress).HasMaxLength(320);
        entity.Property(c => c.Currency).HasMaxLength(8);
        entity.Property(c => c.PaymentAddress).HasMaxLength(128);
        entity.Property(c => c.BreachOrganisation).HasMaxLength(64);
        entity.HasIndex(c => new { c.Status, c.Priority, c.CreatedAt });
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
        entity.HasIndex(n => n.PublishedAt);
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
