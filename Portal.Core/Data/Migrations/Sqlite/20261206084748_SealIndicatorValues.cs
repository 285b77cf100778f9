using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SealIndicatorValues : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Values in the clear cannot be sealed here (the keys are never the database's): the
            // rows go, and the files they were found in are read again by the analysis job, which
            // writes them sealed (docs/decisions/0025).
            migrationBuilder.Sql("DELETE FROM \"CaseIndicators\";");
            migrationBuilder.Sql("UPDATE \"EvidenceFiles\" SET \"AnalysisState\" = 1, \"AnalysisAttempts\" = 0 WHERE \"AnalysisState\" IN (2, 3);");

            migrationBuilder.DropIndex(
                name: "IX_CaseIndicators_CaseId_Kind_Value",
                table: "CaseIndicators");

            migrationBuilder.DropIndex(
                name: "IX_CaseIndicators_Kind_Value",
                table: "CaseIndicators");

            migrationBuilder.DropColumn(
                name: "Value",
                table: "CaseIndicators");

            migrationBuilder.AddColumn<byte[]>(
                name: "ValueEnvelope",
                table: "CaseIndicators",
                type: "BLOB",
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.AddColumn<byte[]>(
                name: "ValueMac",
                table: "CaseIndicators",
                type: "BLOB",
                maxLength: 32,
                nullable: false,
                defaultValue: new byte[0]);

            migrationBuilder.CreateIndex(
                name: "IX_CaseIndicators_CaseId_Kind_ValueMac",
                table: "CaseIndicators",
                columns: new[] { "CaseId", "Kind", "ValueMac" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseIndicators_Kind_ValueMac",
                table: "CaseIndicators",
                columns: new[] { "Kind", "ValueMac" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CaseIndicators_CaseId_Kind_ValueMac",
                table: "CaseIndicators");

            migrationBuilder.DropIndex(
                name: "IX_CaseIndicators_Kind_ValueMac",
                table: "CaseIndicators");

            migrationBuilder.DropColumn(
                name: "ValueEnvelope",
                table: "CaseIndicators");

            migrationBuilder.DropColumn(
                name: "ValueMac",
                table: "CaseIndicators");

            migrationBuilder.AddColumn<string>(
                name: "Value",
                table: "CaseIndicators",
                type: "TEXT",
                maxLength: 512,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_CaseIndicators_CaseId_Kind_Value",
                table: "CaseIndicators",
                columns: new[] { "CaseId", "Kind", "Value" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseIndicators_Kind_Value",
                table: "CaseIndicators",
                columns: new[] { "Kind", "Value" });
        }
    }
}
