using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Portal.Core.Data.Migrations;

/// <summary>Partner organisations, their staff, referrals and their assignments; the victim's region.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261203000000_Routing")]
public sealed class Routing : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "Region", table: "Cases", maxLength: 32, nullable: true);

        migrationBuilder.CreateTable(
            name: "Partners",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                Name = table.Column<string>(maxLength: 200, nullable: false),
                Type = table.Column<int>(nullable: false),
                IsCrisisLine = table.Column<bool>(nullable: false),
                Regions = table.Column<string>(maxLength: 1000, nullable: false),
                Languages = table.Column<string>(maxLength: 100, nullable: false),
                DailyCapacity = table.Column<int>(nullable: false),
                ContactEmail = table.Column<string>(maxLength: 320, nullable: false),
                Active = table.Column<bool>(nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Partners", x => x.Id));
        migrationBuilder.CreateIndex("IX_Partners_Name", "Partners", "Name", unique: true);

        // SQLite cannot add a foreign key to an existing table, but it can add a column that carries one.
        if (ActiveProvider == "Microsoft.EntityFrameworkCore.Sqlite")
        {
            migrationBuilder.Sql("ALTER TABLE \"AspNetUsers\" ADD COLUMN \"PartnerId\" INTEGER NULL REFERENCES \"Partners\" (\"Id\") ON DELETE SET NULL;");
        }
        else
        {
            migrationBuilder.AddColumn<long>(name: "PartnerId", table: "AspNetUsers", nullable: true);
            migrationBuilder.AddForeignKey("FK_AspNetUsers_Partners_PartnerId", "AspNetUsers", "PartnerId", "Partners", principalColumn: "Id", onDelete: ReferentialAction.SetNull);
        }

        migrationBuilder.CreateIndex("IX_AspNetUsers_PartnerId", "AspNetUsers", "PartnerId");

        migrationBuilder.CreateTable(
            name: "Referrals",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                CaseId = table.Column<Guid>(nullable: false),
                PartnerType = table.Column<int>(nullable: false),
                Urgent = table.Column<bool>(nullable: false),
                Status = table.Column<int>(nullable: false),
                PartnerId = table.Column<long>(nullable: true),
                CreatedAt = table.Column<DateTime>(nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                AcknowledgedAt = table.Column<DateTime>(nullable: true),
                AcceptedAt = table.Column<DateTime>(nullable: true),
                ClosedAt = table.Column<DateTime>(nullable: true),
                Outcome = table.Column<int>(nullable: true),
                OutcomeNote = table.Column<string>(maxLength: 500, nullable: true),
                PoliceReportNumber = table.Column<string>(maxLength: 40, nullable: true),
                UnassignedReason = table.Column<int>(nullable: true),
                Version = table.Column<int>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_Referrals", x => x.Id);
                table.ForeignKey("FK_Referrals_Cases_CaseId", x => x.CaseId, "Cases", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_Referrals_Partners_PartnerId", x => x.PartnerId, "Partners", "Id", onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex("IX_Referrals_CaseId_PartnerType", "Referrals", ["CaseId", "PartnerType"], unique: true);
        migrationBuilder.CreateIndex("IX_Referrals_PartnerId_Status", "Referrals", ["PartnerId", "Status"]);
        migrationBuilder.CreateIndex("IX_Referrals_Status_UpdatedAt", "Referrals", ["Status", "UpdatedAt"]);

        migrationBuilder.CreateTable(
            name: "ReferralAssignments",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                ReferralId = table.Column<long>(nullable: false),
                PartnerId = table.Column<long>(nullable: false),
                AssignedAt = table.Column<DateTime>(nullable: false),
                NotificationClaimedAt = table.Column<DateTime>(nullable: true),
                NotifiedAt = table.Column<DateTime>(nullable: true),
                EndedAt = table.Column<DateTime>(nullable: true),
                EndReason = table.Column<int>(nullable: true),
                DeclineReason = table.Column<string>(maxLength: 500, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ReferralAssignments", x => x.Id);
                table.ForeignKey("FK_ReferralAssignments_Referrals_ReferralId", x => x.ReferralId, "Referrals", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_ReferralAssignments_Partners_PartnerId", x => x.PartnerId, "Partners", "Id", onDelete: ReferentialAction.Restrict);
            });
        migrationBuilder.CreateIndex("IX_ReferralAssignments_ReferralId_PartnerId", "ReferralAssignments", ["ReferralId", "PartnerId"], unique: true);
        migrationBuilder.CreateIndex("IX_ReferralAssignments_PartnerId_AssignedAt", "ReferralAssignments", ["PartnerId", "AssignedAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("ReferralAssignments");
        migrationBuilder.DropTable("Referrals");
        migrationBuilder.DropIndex("IX_AspNetUsers_PartnerId", "AspNetUsers");
        if (ActiveProvider != "Microsoft.EntityFrameworkCore.Sqlite")
        {
            migrationBuilder.DropForeignKey("FK_AspNetUsers_Partners_PartnerId", "AspNetUsers");
        }

        migrationBuilder.DropColumn(name: "PartnerId", table: "AspNetUsers");
        migrationBuilder.DropTable("Partners");
        migrationBuilder.DropColumn(name: "Region", table: "Cases");
    }
}
