using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Portal.Core.Data.Migrations;

/// <summary>Evidence files (metadata; the bytes are in the evidence store) and the indicators found in them.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261124000000_Evidence")]
public sealed class Evidence : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "EvidenceFiles",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                CaseId = table.Column<Guid>(nullable: false),
                Kind = table.Column<int>(nullable: false),
                Source = table.Column<int>(nullable: false),
                MediaType = table.Column<string>(maxLength: 100, nullable: false),
                FileNameEnvelope = table.Column<byte[]>(nullable: false),
                Size = table.Column<long>(nullable: false),
                Sha256 = table.Column<byte[]>(maxLength: 32, nullable: false),
                KeyId = table.Column<string>(maxLength: 64, nullable: false),
                ReceivedAt = table.Column<DateTime>(nullable: false),
                ParsedEnvelope = table.Column<byte[]>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_EvidenceFiles", x => x.Id);
                table.ForeignKey("FK_EvidenceFiles_Cases_CaseId", x => x.CaseId, "Cases", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "CaseIndicators",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                CaseId = table.Column<Guid>(nullable: false),
                EvidenceFileId = table.Column<Guid>(nullable: true),
                Kind = table.Column<int>(nullable: false),
                Value = table.Column<string>(maxLength: 512, nullable: false),
                Detail = table.Column<string>(maxLength: 128, nullable: true),
                FoundAt = table.Column<DateTime>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_CaseIndicators", x => x.Id);
                table.ForeignKey("FK_CaseIndicators_Cases_CaseId", x => x.CaseId, "Cases", "Id", onDelete: ReferentialAction.Cascade);
                table.ForeignKey("FK_CaseIndicators_EvidenceFiles_EvidenceFileId", x => x.EvidenceFileId, "EvidenceFiles", "Id", onDelete: ReferentialAction.SetNull);
            });

        migrationBuilder.CreateIndex("IX_EvidenceFiles_CaseId_Sha256", "EvidenceFiles", ["CaseId", "Sha256"], unique: true);
        migrationBuilder.CreateIndex("IX_CaseIndicators_CaseId_Kind_Value", "CaseIndicators", ["CaseId", "Kind", "Value"], unique: true);
        migrationBuilder.CreateIndex("IX_CaseIndicators_EvidenceFileId", "CaseIndicators", "EvidenceFileId");
        migrationBuilder.CreateIndex("IX_CaseIndicators_Kind_Value", "CaseIndicators", ["Kind", "Value"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("CaseIndicators");
        migrationBuilder.DropTable("EvidenceFiles");
    }
}
