using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Core.Data.Migrations;

/// <summary>Who is working a case, and since when (the triage queue's claims).</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261127000000_CaseClaims")]
public sealed class CaseClaims : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "ClaimedById", table: "Cases", maxLength: 450, nullable: true);
        migrationBuilder.AddColumn<DateTime>(name: "ClaimedAt", table: "Cases", nullable: true);
        migrationBuilder.CreateIndex("IX_Cases_ClaimedById", "Cases", "ClaimedById");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropIndex("IX_Cases_ClaimedById", "Cases");
        migrationBuilder.DropColumn(name: "ClaimedAt", table: "Cases");
        migrationBuilder.DropColumn(name: "ClaimedById", table: "Cases");
    }
}
