using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class NeutralIndexFilter : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PermissionGroups_OneDefault",
                table: "PermissionGroups");

            migrationBuilder.CreateIndex(
                name: "IX_PermissionGroups_OneDefault",
                table: "PermissionGroups",
                column: "OrganizationId",
                unique: true,
                filter: "\"IsDefault\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PermissionGroups_OneDefault",
                table: "PermissionGroups");

            migrationBuilder.CreateIndex(
                name: "IX_PermissionGroups_OneDefault",
                table: "PermissionGroups",
                column: "OrganizationId",
                unique: true,
                filter: "\"IsDefault\" = 1");
        }
    }
}
