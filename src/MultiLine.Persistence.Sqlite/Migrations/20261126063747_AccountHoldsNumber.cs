using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AccountHoldsNumber : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Numbers_OrganizationId_State",
                table: "Numbers");

            migrationBuilder.DropIndex(
                name: "IX_Accounts_OrganizationId_Status",
                table: "Accounts");

            migrationBuilder.AddColumn<bool>(
                name: "HoldsNumber",
                table: "Accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // The accounts that hold a number today; from here on the triggers below keep the flag.
            migrationBuilder.Sql("""
                UPDATE "Accounts" SET "HoldsNumber" = 1
                WHERE "Id" IN (SELECT "AccountId" FROM "Numbers" WHERE "AccountId" IS NOT NULL);
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Numbers_OrganizationId_State_AccountId",
                table: "Numbers",
                columns: new[] { "OrganizationId", "State", "AccountId" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_OrganizationId_Status_HoldsNumber",
                table: "Accounts",
                columns: new[] { "OrganizationId", "Status", "HoldsNumber" });

            // Accounts.HoldsNumber says whether a number names the account as its holder. Only these triggers write it,
            // in the statement that changes Numbers.AccountId, so no path of the app can leave it wrong
            // (docs/adr-holds-number.md). Each recomputes the flag of the accounts a change touched from Numbers itself.
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Numbers_HoldsNumber_Insert" AFTER INSERT ON "Numbers"
                WHEN NEW."AccountId" IS NOT NULL
                BEGIN
                    UPDATE "Accounts" SET "HoldsNumber" = EXISTS (SELECT 1 FROM "Numbers" AS n WHERE n."AccountId" = "Accounts"."Id")
                    WHERE "Id" = NEW."AccountId";
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Numbers_HoldsNumber_Update" AFTER UPDATE OF "AccountId" ON "Numbers"
                WHEN OLD."AccountId" IS NOT NEW."AccountId"
                BEGIN
                    UPDATE "Accounts" SET "HoldsNumber" = EXISTS (SELECT 1 FROM "Numbers" AS n WHERE n."AccountId" = "Accounts"."Id")
                    WHERE "Id" IN (OLD."AccountId", NEW."AccountId");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Numbers_HoldsNumber_Delete" AFTER DELETE ON "Numbers"
                WHEN OLD."AccountId" IS NOT NULL
                BEGIN
                    UPDATE "Accounts" SET "HoldsNumber" = EXISTS (SELECT 1 FROM "Numbers" AS n WHERE n."AccountId" = "Accounts"."Id")
                    WHERE "Id" = OLD."AccountId";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TR_Numbers_HoldsNumber_Insert";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TR_Numbers_HoldsNumber_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TR_Numbers_HoldsNumber_Delete";""");

            migrationBuilder.DropIndex(
                name: "IX_Numbers_OrganizationId_State_AccountId",
                table: "Numbers");

            migrationBuilder.DropIndex(
                name: "IX_Accounts_OrganizationId_Status_HoldsNumber",
                table: "Accounts");

            migrationBuilder.DropColumn(
                name: "HoldsNumber",
                table: "Accounts");

            migrationBuilder.CreateIndex(
                name: "IX_Numbers_OrganizationId_State",
                table: "Numbers",
                columns: new[] { "OrganizationId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_OrganizationId_Status",
                table: "Accounts",
                columns: new[] { "OrganizationId", "Status" });
        }
    }
}
