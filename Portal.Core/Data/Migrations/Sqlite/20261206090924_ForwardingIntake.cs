using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ForwardingIntake : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "ForwardingEnvelope",
                table: "EvidenceFiles",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "MessageIdMac",
                table: "EvidenceFiles",
                type: "BLOB",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "NotificationPending",
                table: "EvidenceFiles",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "EvidenceRefusals",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Source = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    RefusedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvidenceRefusals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvidenceRefusals_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ForwardingAddresses",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TokenHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ForwardingAddresses", x => x.CaseId);
                    table.ForeignKey(
                        name: "FK_ForwardingAddresses_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IntakeStatistics",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Messages = table.Column<long>(type: "INTEGER", nullable: false),
                    Stored = table.Column<long>(type: "INTEGER", nullable: false),
                    Duplicates = table.Column<long>(type: "INTEGER", nullable: false),
                    Refused = table.Column<long>(type: "INTEGER", nullable: false),
                    UnknownAddress = table.Column<long>(type: "INTEGER", nullable: false),
                    LoopsDropped = table.Column<long>(type: "INTEGER", nullable: false),
                    LastRunAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IntakeStatistics", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "IntakeStatistics",
                columns: new[] { "Id", "Duplicates", "LastRunAt", "LoopsDropped", "Messages", "Refused", "Stored", "UnknownAddress" },
                values: new object[] { 1, 0L, null, 0L, 0L, 0L, 0L, 0L });

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceFiles_CaseId_MessageIdMac",
                table: "EvidenceFiles",
                columns: new[] { "CaseId", "MessageIdMac" });

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceFiles_NotificationPending",
                table: "EvidenceFiles",
                column: "NotificationPending",
                filter: "\"NotificationPending\"");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceRefusals_CaseId_RefusedAt",
                table: "EvidenceRefusals",
                columns: new[] { "CaseId", "RefusedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ForwardingAddresses_TokenHash",
                table: "ForwardingAddresses",
                column: "TokenHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EvidenceRefusals");

            migrationBuilder.DropTable(
                name: "ForwardingAddresses");

            migrationBuilder.DropTable(
                name: "IntakeStatistics");

            migrationBuilder.DropIndex(
                name: "IX_EvidenceFiles_CaseId_MessageIdMac",
                table: "EvidenceFiles");

            migrationBuilder.DropIndex(
                name: "IX_EvidenceFiles_NotificationPending",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "ForwardingEnvelope",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "MessageIdMac",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "NotificationPending",
                table: "EvidenceFiles");
        }
    }
}
