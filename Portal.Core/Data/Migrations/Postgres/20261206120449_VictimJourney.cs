using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VictimJourney : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "WithdrawalNoticePending",
                table: "ReferralAssignments",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReceiptEmailedAt",
                table: "Cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "ReceiptKeyEmailEnvelope",
                table: "Cases",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RiskImmediateDangerWithheld",
                table: "Cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "RiskSelfHarmWithheld",
                table: "Cases",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "SessionGeneration",
                table: "Cases",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ReceiptKeyRequests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RequestEnvelope = table.Column<byte[]>(type: "bytea", nullable: false),
                    RequestedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReceiptKeyRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ReportDrafts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TokenHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    AnswersEnvelope = table.Column<byte[]>(type: "bytea", nullable: false),
                    ReachedStep = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    SubmittedCaseId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReportDrafts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ShownReceipts",
                columns: table => new
                {
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    KeyEnvelope = table.Column<byte[]>(type: "bytea", nullable: false),
                    Reissued = table.Column<bool>(type: "boolean", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ShownReceipts", x => x.CaseId);
                    table.ForeignKey(
                        name: "FK_ShownReceipts_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ReceiptKeyRequests_RequestedAt",
                table: "ReceiptKeyRequests",
                column: "RequestedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ReportDrafts_ExpiresAt",
                table: "ReportDrafts",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_ReportDrafts_TokenHash",
                table: "ReportDrafts",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ShownReceipts_ExpiresAt",
                table: "ShownReceipts",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReceiptKeyRequests");

            migrationBuilder.DropTable(
                name: "ReportDrafts");

            migrationBuilder.DropTable(
                name: "ShownReceipts");

            migrationBuilder.DropColumn(
                name: "WithdrawalNoticePending",
                table: "ReferralAssignments");

            migrationBuilder.DropColumn(
                name: "ReceiptEmailedAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "ReceiptKeyEmailEnvelope",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "RiskImmediateDangerWithheld",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "RiskSelfHarmWithheld",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "SessionGeneration",
                table: "Cases");
        }
    }
}
