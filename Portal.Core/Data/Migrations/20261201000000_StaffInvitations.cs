using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Core.Data.Migrations;

/// <summary>Admins' invitations for new staff: the one-time link's token hash, the roles to grant and what became of it.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261201000000_StaffInvitations")]
public sealed class StaffInvitations : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "StaffInvitations",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                Email = table.Column<string>(maxLength: 256, nullable: false),
                NormalizedEmail = table.Column<string>(maxLength: 256, nullable: false),
                Roles = table.Column<string>(maxLength: 200, nullable: false),
                Language = table.Column<string>(maxLength: 8, nullable: false),
                TokenHash = table.Column<byte[]>(maxLength: 32, nullable: false),
                CreatedAt = table.Column<DateTime>(nullable: false),
                ExpiresAt = table.Column<DateTime>(nullable: false),
                InvitedById = table.Column<string>(maxLength: 450, nullable: false),
                SentAt = table.Column<DateTime>(nullable: true),
                DeliveryFailed = table.Column<bool>(nullable: false),
                AcceptedAt = table.Column<DateTime>(nullable: true),
                AcceptedUserId = table.Column<string>(maxLength: 450, nullable: true),
                RevokedAt = table.Column<DateTime>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_StaffInvitations", x => x.Id));
        migrationBuilder.CreateIndex("IX_StaffInvitations_TokenHash", "StaffInvitations", "TokenHash", unique: true);
        migrationBuilder.CreateIndex("IX_StaffInvitations_NormalizedEmail", "StaffInvitations", "NormalizedEmail");
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable("StaffInvitations");
}
