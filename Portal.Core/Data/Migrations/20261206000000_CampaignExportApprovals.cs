using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Portal.Core.Data.Migrations;

/// <summary>Supervisors' approvals of campaign bundles for police (the two-person rule).</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261206000000_CampaignExportApprovals")]
public sealed class CampaignExportApprovals : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "CampaignExportApprovals",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                CampaignId = table.Column<Guid>(nullable: false),
                CampaignVersion = table.Column<int>(nullable: false),
                ApprovedById = table.Column<string>(maxLength: 450, nullable: false),
                ApprovedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_CampaignExportApprovals", x => x.Id);
                table.ForeignKey("FK_CampaignExportApprovals_Campaigns_CampaignId", x => x.CampaignId, "Campaigns", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_CampaignExportApprovals_CampaignId_CampaignVersion", "CampaignExportApprovals", ["CampaignId", "CampaignVersion"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("CampaignExportApprovals");
}
