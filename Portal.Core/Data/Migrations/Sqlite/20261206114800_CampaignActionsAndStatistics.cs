using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CampaignActionsAndStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CampaignActions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CampaignId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CampaignVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    CannedResponseId = table.Column<int>(type: "INTEGER", nullable: true),
                    ReplyTitle = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ReplyEn = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: true),
                    ReplyFi = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: true),
                    ReplySv = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: true),
                    Route = table.Column<int>(type: "INTEGER", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RequestedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    RequestedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Applied = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CampaignActions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CampaignActions_Campaigns_CampaignId",
                        column: x => x.CampaignId,
                        principalTable: "Campaigns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CampaignActionCases",
                columns: table => new
                {
                    ActionId = table.Column<long>(type: "INTEGER", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Outcome = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CampaignActionCases", x => new { x.ActionId, x.CaseId });
                    table.ForeignKey(
                        name: "FK_CampaignActionCases_CampaignActions_ActionId",
                        column: x => x.ActionId,
                        principalTable: "CampaignActions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CampaignActionCases_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TriageDecisions_DecidedAt_Route",
                table: "TriageDecisions",
                columns: new[] { "DecidedAt", "Route" });

            migrationBuilder.CreateIndex(
                name: "IX_CampaignActionCases_CaseId",
                table: "CampaignActionCases",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_CampaignActionCases_Pending",
                table: "CampaignActionCases",
                columns: new[] { "ActionId", "CaseId" },
                filter: "\"Outcome\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_CampaignActions_CampaignId_State",
                table: "CampaignActions",
                columns: new[] { "CampaignId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_CampaignActions_State",
                table: "CampaignActions",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CampaignActionCases");

            migrationBuilder.DropTable(
                name: "CampaignActions");

            migrationBuilder.DropIndex(
                name: "IX_TriageDecisions_DecidedAt_Route",
                table: "TriageDecisions");
        }
    }
}
