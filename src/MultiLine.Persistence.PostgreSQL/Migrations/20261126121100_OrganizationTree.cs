using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.PostgreSQL.Migrations
{
    /// <inheritdoc />
    public partial class OrganizationTree : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "DefaultPermissionGroupId",
                table: "Organizations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "InheritsAllowedEmailDomains",
                table: "Organizations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "InheritsSmtpDataOffload",
                table: "Organizations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "InheritsSocialMessaging",
                table: "Organizations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_Organizations_DefaultPermissionGroupId",
                table: "Organizations",
                column: "DefaultPermissionGroupId");

            migrationBuilder.AddForeignKey(
                name: "FK_Organizations_PermissionGroups_DefaultPermissionGroupId",
                table: "Organizations",
                column: "DefaultPermissionGroupId",
                principalTable: "PermissionGroups",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Organizations_PermissionGroups_DefaultPermissionGroupId",
                table: "Organizations");

            migrationBuilder.DropIndex(
                name: "IX_Organizations_DefaultPermissionGroupId",
                table: "Organizations");

            migrationBuilder.DropColumn(
                name: "DefaultPermissionGroupId",
                table: "Organizations");

            migrationBuilder.DropColumn(
                name: "InheritsAllowedEmailDomains",
                table: "Organizations");

            migrationBuilder.DropColumn(
                name: "InheritsSmtpDataOffload",
                table: "Organizations");

            migrationBuilder.DropColumn(
                name: "InheritsSocialMessaging",
                table: "Organizations");
        }
    }
}
