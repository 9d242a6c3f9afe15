using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.PostgreSQL.Migrations
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
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // The accounts that hold a number today; from here on the triggers below keep the flag.
            migrationBuilder.Sql("""
                UPDATE "Accounts" AS a SET "HoldsNumber" = TRUE
                FROM "Numbers" AS n WHERE n."AccountId" = a."Id";
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
            // (docs/adr-holds-number.md). Statement triggers with transition tables: a bulk COPY or a group's UPDATE
            // recomputes the flag of the accounts it touched in one statement, from Numbers itself.
            migrationBuilder.Sql("""
                CREATE FUNCTION "Numbers_KeepHoldsNumber"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        UPDATE "Accounts" AS a SET "HoldsNumber" = TRUE
                        FROM (SELECT DISTINCT "AccountId" FROM new_numbers WHERE "AccountId" IS NOT NULL) AS t
                        WHERE a."Id" = t."AccountId" AND NOT a."HoldsNumber";
                    ELSIF TG_OP = 'DELETE' THEN
                        UPDATE "Accounts" AS a SET "HoldsNumber" = EXISTS (SELECT 1 FROM "Numbers" AS n WHERE n."AccountId" = a."Id")
                        FROM (SELECT DISTINCT "AccountId" FROM old_numbers WHERE "AccountId" IS NOT NULL) AS t
                        WHERE a."Id" = t."AccountId";
                    ELSE
                        UPDATE "Accounts" AS a SET "HoldsNumber" = EXISTS (SELECT 1 FROM "Numbers" AS n WHERE n."AccountId" = a."Id")
                        FROM (
                            SELECT o."AccountId" FROM old_numbers AS o JOIN new_numbers AS c ON c."Id" = o."Id"
                            WHERE o."AccountId" IS NOT NULL AND o."AccountId" IS DISTINCT FROM c."AccountId"
                            UNION
                            SELECT c."AccountId" FROM old_numbers AS o JOIN new_numbers AS c ON c."Id" = o."Id"
                            WHERE c."AccountId" IS NOT NULL AND o."AccountId" IS DISTINCT FROM c."AccountId"
                        ) AS t
                        WHERE a."Id" = t."AccountId";
                    END IF;
                    RETURN NULL;
                END
                $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Numbers_HoldsNumber_Insert" AFTER INSERT ON "Numbers"
                REFERENCING NEW TABLE AS new_numbers
                FOR EACH STATEMENT EXECUTE FUNCTION "Numbers_KeepHoldsNumber"();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Numbers_HoldsNumber_Update" AFTER UPDATE ON "Numbers"
                REFERENCING OLD TABLE AS old_numbers NEW TABLE AS new_numbers
                FOR EACH STATEMENT EXECUTE FUNCTION "Numbers_KeepHoldsNumber"();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Numbers_HoldsNumber_Delete" AFTER DELETE ON "Numbers"
                REFERENCING OLD TABLE AS old_numbers
                FOR EACH STATEMENT EXECUTE FUNCTION "Numbers_KeepHoldsNumber"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TR_Numbers_HoldsNumber_Insert" ON "Numbers";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TR_Numbers_HoldsNumber_Update" ON "Numbers";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TR_Numbers_HoldsNumber_Delete" ON "Numbers";""");
            migrationBuilder.Sql("""DROP FUNCTION IF EXISTS "Numbers_KeepHoldsNumber"();""");

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
