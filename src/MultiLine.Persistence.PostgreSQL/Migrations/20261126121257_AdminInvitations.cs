using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.PostgreSQL.Migrations
{
    /// <inheritdoc />
    public partial class AdminInvitations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "InvitationExpiresAtUtc",
                table: "Admins",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "InvitationTokenHash",
                table: "Admins",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "InvitedAtUtc",
                table: "Admins",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LastSignInAtUtc",
                table: "Admins",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PasswordSetAtUtc",
                table: "Admins",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Admins_InvitationTokenHash",
                table: "Admins",
                column: "InvitationTokenHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Admins_InvitationTokenHash",
                table: "Admins");

            migrationBuilder.DropColumn(
                name: "InvitationExpiresAtUtc",
                table: "Admins");

            migrationBuilder.DropColumn(
                name: "InvitationTokenHash",
                table: "Admins");

            migrationBuilder.DropColumn(
                name: "InvitedAtUtc",
                table: "Admins");

            migrationBuilder.DropColumn(
                name: "LastSignInAtUtc",
                table: "Admins");

            migrationBuilder.DropColumn(
                name: "PasswordSetAtUtc",
                table: "Admins");
        }
    }
}
