using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RulesOnEveryPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CapacityVersion",
                table: "Organizations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "ClaimExpiresAtUtc",
                table: "EmailMessages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClaimedBy",
                table: "EmailMessages",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "InvitationId",
                table: "BatchRows",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Warnings",
                table: "Batches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_BatchRows_InvitationId",
                table: "BatchRows",
                column: "InvitationId");

            migrationBuilder.AddForeignKey(
                name: "FK_BatchRows_Invitations_InvitationId",
                table: "BatchRows",
                column: "InvitationId",
                principalTable: "Invitations",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_BatchRows_Invitations_InvitationId",
                table: "BatchRows");

            migrationBuilder.DropIndex(
                name: "IX_BatchRows_InvitationId",
                table: "BatchRows");

            migrationBuilder.DropColumn(
                name: "CapacityVersion",
                table: "Organizations");

            migrationBuilder.DropColumn(
                name: "ClaimExpiresAtUtc",
                table: "EmailMessages");

            migrationBuilder.DropColumn(
                name: "ClaimedBy",
                table: "EmailMessages");

            migrationBuilder.DropColumn(
                name: "InvitationId",
                table: "BatchRows");

            migrationBuilder.DropColumn(
                name: "Warnings",
                table: "Batches");
        }
    }
}
