using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FormResendsAndAnsweredDetails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "SubmissionId",
                table: "Notices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubmissionId",
                table: "DiaryEntries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "DetailsAnsweredFor",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubmissionId",
                table: "CannedResponses",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notices_SubmissionId",
                table: "Notices",
                column: "SubmissionId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DiaryEntries_CaseId_SubmissionId",
                table: "DiaryEntries",
                columns: new[] { "CaseId", "SubmissionId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CannedResponses_SubmissionId",
                table: "CannedResponses",
                column: "SubmissionId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Notices_SubmissionId",
                table: "Notices");

            migrationBuilder.DropIndex(
                name: "IX_DiaryEntries_CaseId_SubmissionId",
                table: "DiaryEntries");

            migrationBuilder.DropIndex(
                name: "IX_CannedResponses_SubmissionId",
                table: "CannedResponses");

            migrationBuilder.DropColumn(
                name: "SubmissionId",
                table: "Notices");

            migrationBuilder.DropColumn(
                name: "SubmissionId",
                table: "DiaryEntries");

            migrationBuilder.DropColumn(
                name: "DetailsAnsweredFor",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "SubmissionId",
                table: "CannedResponses");
        }
    }
}
