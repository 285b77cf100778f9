using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Portal.Core.Data.Migrations;

/// <summary>Secure messages between a case's volunteer and the victim, and supervisors' canned responses.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261130000000_Messaging")]
public sealed class Messaging : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "CaseMessages",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                CaseId = table.Column<Guid>(nullable: false),
                Direction = table.Column<int>(nullable: false),
                AuthorId = table.Column<string>(maxLength: 450, nullable: true),
                BodyEnvelope = table.Column<byte[]>(nullable: false),
                SentAt = table.Column<DateTime>(nullable: false),
                ReadAt = table.Column<DateTime>(nullable: true),
                NotificationPending = table.Column<bool>(nullable: false),
                NotifiedAt = table.Column<DateTime>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_CaseMessages", x => x.Id);
                table.ForeignKey("FK_CaseMessages_Cases_CaseId", x => x.CaseId, "Cases", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_CaseMessages_CaseId_SentAt", "CaseMessages", ["CaseId", "SentAt"]);
        migrationBuilder.CreateIndex("IX_CaseMessages_Direction_ReadAt", "CaseMessages", ["Direction", "ReadAt"]);
        migrationBuilder.CreateIndex("IX_CaseMessages_NotificationPending", "CaseMessages", "NotificationPending", filter: "\"NotificationPending\"");

        migrationBuilder.CreateTable(
            name: "CannedResponses",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                Title = table.Column<string>(maxLength: 100, nullable: false),
                BodyEn = table.Column<string>(maxLength: 5000, nullable: false),
                BodyFi = table.Column<string>(maxLength: 5000, nullable: false),
                BodySv = table.Column<string>(maxLength: 5000, nullable: false),
                UpdatedAt = table.Column<DateTime>(nullable: false),
                UpdatedById = table.Column<string>(maxLength: 450, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_CannedResponses", x => x.Id));
        migrationBuilder.CreateIndex("IX_CannedResponses_Title", "CannedResponses", "Title");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("CaseMessages");
        migrationBuilder.DropTable("CannedResponses");
    }
}
