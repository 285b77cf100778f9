using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CampaignApprovalCases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Approvals given before cases were recorded cover none: they must be given again (decision 0017).
            migrationBuilder.AddColumn<List<Guid>>(
                name: "CaseIds",
                table: "CampaignExportApprovals",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "'{}'");
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
