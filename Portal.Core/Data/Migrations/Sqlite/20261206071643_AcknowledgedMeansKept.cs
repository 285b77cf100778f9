using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AcknowledgedMeansKept : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AnalysisAttempts",
                table: "EvidenceFiles",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "AnalysisNote",
                table: "EvidenceFiles",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AnalysisState",
                table: "EvidenceFiles",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReceiptFirstUsedAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "SubmissionDigest",
                table: "Cases",
                type: "BLOB",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_EvidenceFiles_AnalysisState",
                table: "EvidenceFiles",
                column: "AnalysisState");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_EvidenceFiles_AnalysisState",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "AnalysisAttempts",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "AnalysisNote",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "AnalysisState",
                table: "EvidenceFiles");

            migrationBuilder.DropColumn(
                name: "ReceiptFirstUsedAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "SubmissionDigest",
                table: "Cases");
        }
    }
}
