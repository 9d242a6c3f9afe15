using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Core.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Batches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Batches",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    AdminId = table.Column<int>(type: "INTEGER", nullable: false),
                    AdminName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OrganizationId = table.Column<int>(type: "INTEGER", nullable: false),
                    PermissionGroupId = table.Column<int>(type: "INTEGER", nullable: true),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: true),
                    FileSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    TotalRows = table.Column<int>(type: "INTEGER", nullable: false),
                    Succeeded = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FailureReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CancelRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    CancelledBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ClaimedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ClaimExpiresAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Batches", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Batches_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Batches_PermissionGroups_PermissionGroupId",
                        column: x => x.PermissionGroupId,
                        principalTable: "PermissionGroups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "BatchRows",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BatchOperationId = table.Column<int>(type: "INTEGER", nullable: false),
                    RowNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    LastName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Username = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    NormalizedUsername = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    MultiLineNumber = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SocialMessaging = table.Column<bool>(type: "INTEGER", nullable: false),
                    RestrictIncomingSocialMessaging = table.Column<bool>(type: "INTEGER", nullable: false),
                    MonitorCalls = table.Column<int>(type: "INTEGER", nullable: false),
                    MonitorSms = table.Column<int>(type: "INTEGER", nullable: false),
                    ForwardingNumber = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Language = table.Column<int>(type: "INTEGER", nullable: false),
                    TargetAccountId = table.Column<int>(type: "INTEGER", nullable: true),
                    Outcome = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    AccountId = table.Column<int>(type: "INTEGER", nullable: true),
                    Number = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Invitation = table.Column<int>(type: "INTEGER", nullable: true),
                    ProcessedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BatchRows", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BatchRows_Batches_BatchOperationId",
                        column: x => x.BatchOperationId,
                        principalTable: "Batches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Batches_FileSha256",
                table: "Batches",
                column: "FileSha256");

            migrationBuilder.CreateIndex(
                name: "IX_Batches_OrganizationId_CreatedAtUtc",
                table: "Batches",
                columns: new[] { "OrganizationId", "CreatedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_Batches_PermissionGroupId",
                table: "Batches",
                column: "PermissionGroupId");

            migrationBuilder.CreateIndex(
                name: "IX_Batches_State",
                table: "Batches",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_BatchRows_BatchOperationId_Outcome_RowNumber",
                table: "BatchRows",
                columns: new[] { "BatchOperationId", "Outcome", "RowNumber" });

            migrationBuilder.CreateIndex(
                name: "IX_BatchRows_BatchOperationId_RowNumber",
                table: "BatchRows",
                columns: new[] { "BatchOperationId", "RowNumber" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BatchRows");

            migrationBuilder.DropTable(
                name: "Batches");
        }
    }
}
