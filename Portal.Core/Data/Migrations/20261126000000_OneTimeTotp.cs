using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Core.Data.Migrations;

/// <summary>Remembers the last accepted authenticator step per staff user, so a code is good once.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261126000000_OneTimeTotp")]
public sealed class OneTimeTotp : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        migrationBuilder.AddColumn<long>(name: "LastTotpStep", table: "AspNetUsers", nullable: true);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.DropColumn(name: "LastTotpStep", table: "AspNetUsers");
}
