using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CaseFile : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EvidenceFiles_CaseId_Sha256",
                table: "EvidenceFiles");

            migrationBuilder.AddColumn<int>(
                name: "Audience",
                table: "Notices",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "AudienceBreachOrganisation",
                table: "Notices",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "DeadlineOn",
                table: "Notices",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Purpose",
                table: "EvidenceFiles",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "Shared",
                table: "EvidenceFiles",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "DeadlineReminders",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    NoticeId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    DaysBefore = table.Column<int>(type: "integer", nullable: false),
                    ClaimedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    SentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeadlineReminders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DeadlineReminders_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_DeadlineReminders_Notices_NoticeId",
                        column: x => x.NoticeId,
                        principalTable: "Notices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DiaryEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    OccurredOn = table.Column<DateOnly>(type: "date", nullable: false),
                    Shared = table.Column<bool>(type: "boolean", nullable: false),
                    Envelope = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DiaryEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DiaryEntries_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Notices_DeadlineOn",
                table: "Notices",
                column: "DeadlineOn");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceFiles_CaseId_Purpose_Sha256",
                table: "EvidenceFiles",
                columns: new[] { "CaseId", "Purpose", "Sha256" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DeadlineReminders_CaseId",
                table: "DeadlineReminders",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_DeadlineReminders_NoticeId_CaseId_DaysBefore",
                table: "DeadlineReminders",
                columns: new[] { "NoticeId", "CaseId", "DaysBefore" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DiaryEntries_CaseId_OccurredOn",
                table: "DiaryEntries",
                columns: new[] { "CaseId", "OccurredOn" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DeadlineReminders");

            migrationBuilder.DropTable(
                name: "DiaryEntries");

            migrationBuilder.DropIndex(
                name: "IX_Notices_DeadlineOn",
                table: "Notices");

            migrationBuilder.DropIndex(
                name: "IX_EvidenceFiles_CaseId_Purpose_Sha256",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "Audience",
                table: "Notices");

            migrationBuilder.DropColumn(
                name: "AudienceBreachOrganisation",
                table: "Notices");

            migrationBuilder.DropColumn(
                name: "DeadlineOn",
                table: "Notices");

            migrationBuilder.DropColumn(
                name: "Purpose",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "Shared",
                table: "EvidenceFiles");

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceFiles_CaseId_Sha256",
                table: "EvidenceFiles",
                columns: new[] { "CaseId", "Sha256" },
                unique: true);
        }
    }
}
