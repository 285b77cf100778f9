using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Portal.Core.Data.Migrations;

/// <summary>Triage decisions: where each case was sent, by whom and when.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261129000000_TriageDecisions")]
public sealed class TriageDecisions : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "TriageDecisions",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                CaseId = table.Column<Guid>(nullable: false),
                Route = table.Column<int>(nullable: false),
                Reason = table.Column<string>(maxLength: 500, nullable: true),
                DecidedById = table.Column<string>(maxLength: 450, nullable: false),
                DecidedAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_TriageDecisions", x => x.Id);
                table.ForeignKey("FK_TriageDecisions_Cases_CaseId", x => x.CaseId, "Cases", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_TriageDecisions_CaseId", "TriageDecisions", "CaseId");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("TriageDecisions");
}
