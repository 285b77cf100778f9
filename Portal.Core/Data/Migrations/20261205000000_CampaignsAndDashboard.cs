using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Core.Data.Migrations;

/// <summary>
/// The time of the first staff response per case and the dashboard's indexes; campaigns (stable
/// identities, their cases) and the row that serialises their recomputation.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261205000000_CampaignsAndDashboard")]
public sealed class CampaignsAndDashboard : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<DateTime>(name: "FirstResponseAt", table: "Cases", nullable: true);
        migrationBuilder.AddColumn<int>(name: "FirstResponseSeconds", table: "Cases", nullable: true);
        migrationBuilder.CreateIndex("IX_Cases_CreatedAt_FirstResponseSeconds", "Cases", ["CreatedAt", "FirstResponseSeconds"]);
        migrationBuilder.CreateIndex(
            name: "IX_Cases_FirstResponseSeconds_CreatedAt",
            table: "Cases",
            columns: ["FirstResponseSeconds", "CreatedAt"],
            filter: "\"FirstResponseSeconds\" IS NOT NULL");
        migrationBuilder.CreateIndex("IX_Cases_Language_Status", "Cases", ["Language", "Status"]);

        migrationBuilder.CreateTable(
            name: "Campaigns",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Reference = table.Column<string>(maxLength: 16, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                Version = table.Column<int>(nullable: false),
                RetiredAt = table.Column<DateTime>(nullable: true),
                MergedIntoId = table.Column<Guid>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Campaigns", x => x.Id));
        migrationBuilder.CreateIndex("IX_Campaigns_Reference", "Campaigns", "Reference", unique: true);
        migrationBuilder.CreateIndex("IX_Campaigns_RetiredAt", "Campaigns", "RetiredAt");

        migrationBuilder.CreateTable(
            name: "CampaignCases",
            columns: table => new
            {
                CaseId = table.Column<Guid>(nullable: false),
                CampaignId = table.Column<Guid>(nullable: false),
                AddedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_CampaignCases", x => x.CaseId);
                table.ForeignKey("FK_CampaignCases_Cases_CaseId", x => x.CaseId, "Cases", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_CampaignCases_Campaigns_CampaignId", x => x.CampaignId, "Campaigns", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_CampaignCases_CampaignId", "CampaignCases", "CampaignId");

        migrationBuilder.CreateTable(
            name: "CampaignClusteringState",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false),
                LastRunAt = table.Column<DateTime>(nullable: true),
                Runs = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_CampaignClusteringState", x => x.Id));
        migrationBuilder.Sql("INSERT INTO \"CampaignClusteringState\" (\"Id\", \"LastRunAt\", \"Runs\") VALUES (1, NULL, 0)");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("CampaignClusteringState");
        migrationBuilder.DropTable("CampaignCases");
        migrationBuilder.DropTable("Campaigns");
        migrationBuilder.DropIndex("IX_Cases_Language_Status", "Cases");
        migrationBuilder.DropIndex("IX_Cases_FirstResponseSeconds_CreatedAt", "Cases");
        migrationBuilder.DropIndex("IX_Cases_CreatedAt_FirstResponseSeconds", "Cases");
        migrationBuilder.DropColumn("FirstResponseSeconds", "Cases");
        migrationBuilder.DropColumn("FirstResponseAt", "Cases");
    }
}
