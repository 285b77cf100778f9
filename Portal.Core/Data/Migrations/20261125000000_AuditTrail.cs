using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Portal.Core.Data.Migrations;

/// <summary>The hash-chained audit trail and the head row that serialises appends (docs/decisions/0010).</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261125000000_AuditTrail")]
public sealed class AuditTrail : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "AuditEntries",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                At = table.Column<DateTime>(nullable: false),
                ActorKind = table.Column<int>(nullable: false),
                ActorId = table.Column<string>(maxLength: 450, nullable: true),
                Action = table.Column<string>(maxLength: 64, nullable: false),
                CaseId = table.Column<Guid>(nullable: true),
                Subject = table.Column<string>(maxLength: 200, nullable: true),
                Detail = table.Column<string>(maxLength: 500, nullable: true),
                IpAddress = table.Column<string>(maxLength: 64, nullable: true),
                PreviousMac = table.Column<byte[]>(maxLength: 32, nullable: false),
                Mac = table.Column<byte[]>(maxLength: 32, nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AuditEntries", x => x.Id));

        migrationBuilder.CreateTable(
            name: "AuditChainHeads",
            columns: table => new
            {
                Id = table.Column<int>(nullable: false),
                LastEntryId = table.Column<long>(nullable: false),
                LastMac = table.Column<byte[]>(maxLength: 32, nullable: false),
                Version = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_AuditChainHeads", x => x.Id));

        // Raw SQL: without a model snapshot InsertData cannot know the column types, and the
        // binary literal is spelled differently by each provider.
        var zeroMac = migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL"
            ? "'\\x" + new string('0', 64) + "'::bytea"
            : "X'" + new string('0', 64) + "'";
        migrationBuilder.Sql($"INSERT INTO \"AuditChainHeads\" (\"Id\", \"LastEntryId\", \"LastMac\", \"Version\") VALUES (1, 0, {zeroMac}, 0)");

        migrationBuilder.CreateIndex("IX_AuditEntries_Action_Id", "AuditEntries", ["Action", "Id"]);
        migrationBuilder.CreateIndex("IX_AuditEntries_ActorId_Id", "AuditEntries", ["ActorId", "Id"]);
        migrationBuilder.CreateIndex("IX_AuditEntries_CaseId_Id", "AuditEntries", ["CaseId", "Id"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable("AuditChainHeads");
        migrationBuilder.DropTable("AuditEntries");
    }
}
