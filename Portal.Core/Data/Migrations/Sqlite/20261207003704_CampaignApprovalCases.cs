using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CampaignApprovalCases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Approvals given before cases were recorded cover none: they must be given again (decision 0017).
            migrationBuilder.AddColumn<string>(
                name: "CaseIds",
                table: "CampaignExportApprovals",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CaseIds",
                table: "CampaignExportApprovals");
        }
    }
}
