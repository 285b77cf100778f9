using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Portal.Core.Data.Migrations;

/// <summary>Jobs that ran out of retries, alerts sent once per case, and what retention needs to be idempotent.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261202000000_Jobs")]
public sealed class Jobs : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "JobFailures",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                JobKey = table.Column<string>(maxLength: 200, nullable: false),
                Subject = table.Column<string>(maxLength: 200, nullable: true),
                Attempts = table.Column<int>(nullable: false),
                ErrorType = table.Column<string>(maxLength: 200, nullable: false),
                ErrorMessage = table.Column<string>(maxLength: 1000, nullable: false),
                FailedAt = table.Column<DateTime>(nullable: false),
                ResolvedAt = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_JobFailures", x => x.Id));
        migrationBuilder.CreateIndex("IX_JobFailures_FailedAt", "JobFailures", "FailedAt");
        migrationBuilder.CreateIndex("IX_JobFailures_JobKey_ResolvedAt", "JobFailures", ["JobKey", "ResolvedAt"]);

        migrationBuilder.CreateTable(
            name: "SupervisorAlerts",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                CaseId = table.Column<Guid>(nullable: false),
                Kind = table.Column<int>(nullable: false),
                RaisedAt = table.Column<DateTime>(nullable: false),
                SentAt = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_SupervisorAlerts", x => x.Id);
                table.ForeignKey("FK_SupervisorAlerts_Cases_CaseId", x => x.CaseId, "Cases", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_SupervisorAlerts_CaseId_Kind", "SupervisorAlerts", ["CaseId", "Kind"], unique: true);

        migrationBuilder.AddColumn<DateTime>(name: "RetainedAt", table: "Cases", nullable: true);
        migrationBuilder.AddColumn<byte[]>(name: "RedactedDetailDigest", table: "AuditEntries", maxLength: 32, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn(name: "RedactedDetailDigest", table: "AuditEntries");
        migrationBuilder.DropColumn(name: "RetainedAt", table: "Cases");
        migrationBuilder.DropTable("SupervisorAlerts");
        migrationBuilder.DropTable("JobFailures");
    }
}
