using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RolesAndProfilePrivileges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Two privileges joined the set: roles that manage administrators also manage roles (128), and roles that
            // manage the organization's setup also manage its sub-organizations (256).
            migrationBuilder.Sql("UPDATE Roles SET Privileges = Privileges | 128 WHERE (Privileges & 32) = 32;");
            migrationBuilder.Sql("UPDATE Roles SET Privileges = Privileges | 256 WHERE (Privileges & 16) = 16;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE Roles SET Privileges = Privileges & ~384;");
        }
    }
}
