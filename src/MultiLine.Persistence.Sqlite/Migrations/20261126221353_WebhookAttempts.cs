using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WebhookAttempts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "WebhookAttempts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DeliveryId = table.Column<long>(type: "INTEGER", nullable: false),
                    OrganizationId = table.Column<int>(type: "INTEGER", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    AtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    DurationMs = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WebhookAttempts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WebhookAttempts_WebhookDeliveries_DeliveryId",
                        column: x => x.DeliveryId,
                        principalTable: "WebhookDeliveries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WebhookAttempts_DeliveryId_Number",
                table: "WebhookAttempts",
                columns: new[] { "DeliveryId", "Number" },
                unique: true);

            // Deliveries attempted before this migration keep their last attempt, the one their row recorded.
            migrationBuilder.Sql("""
                INSERT INTO "WebhookAttempts" ("DeliveryId", "OrganizationId", "Number", "AtUtc", "StatusCode", "Error", "DurationMs")
                SELECT "Id", "OrganizationId", "Attempts", "LastAttemptAtUtc", "LastStatusCode", "LastError", COALESCE("LastDurationMs", 0)
                FROM "WebhookDeliveries" WHERE "Attempts" > 0 AND "LastAttemptAtUtc" IS NOT NULL
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WebhookAttempts");
        }
    }
}
