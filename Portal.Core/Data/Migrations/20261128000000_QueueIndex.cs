using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Core.Data.Migrations;

/// <summary>A partial index in the triage queue's order over open cases only (see CaseConfiguration).</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261128000000_QueueIndex")]
public sealed class QueueIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        // The old (Status, Priority, CreatedAt) index made SQLite sort every open case per page.
        migrationBuilder.DropIndex("IX_Cases_Status_Priority_CreatedAt", "Cases");
        migrationBuilder.CreateIndex(
            name: "IX_Cases_Queue",
            table: "Cases",
            columns: ["Priority", "CreatedAt", "Id"],
            descending: [true, false, false],
            filter: "\"Status\" IN (0, 1)");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex("IX_Cases_Queue", "Cases");
        migrationBuilder.CreateIndex("IX_Cases_Status_Priority_CreatedAt", "Cases", ["Status", "Priority", "CreatedAt"]);
    }
}
