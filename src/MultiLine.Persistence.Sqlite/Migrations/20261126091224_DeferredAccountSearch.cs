using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.Sqlite.Migrations
{
    /// <summary>
    /// New accounts reach the FTS5 search table in bulk instead of one trigger call per inserted row (see
    /// docs/adr-search-index.md): "SearchIndexState" holds the largest account id the table covers; the hosted catch-up
    /// indexes the newer accounts set-based, and the search reads the table plus a scan of the accounts above that mark,
    /// so results stay exact. The update and delete triggers touch only rows the table already holds (a contentless FTS5
    /// table must be told a removed row's exact old values). No model change: the tables are not entities.
    /// </summary>
    public partial class DeferredAccountSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE "SearchIndexState" ("Name" TEXT NOT NULL PRIMARY KEY, "IndexedThrough" INTEGER NOT NULL);
                """);
            migrationBuilder.Sql("""
                INSERT INTO "SearchIndexState" ("Name", "IndexedThrough") SELECT 'Accounts', coalesce(max("Id"), 0) FROM "Accounts";
                """);
            migrationBuilder.Sql("""DROP TRIGGER "Accounts_Search_Insert";""");
            migrationBuilder.Sql("""DROP TRIGGER "Accounts_Search_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "Accounts_Search_Delete";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "Accounts_Search_Update" AFTER UPDATE OF "NormalizedUsername", "FirstName", "LastName" ON "Accounts"
                WHEN old."Id" <= (SELECT "IndexedThrough" FROM "SearchIndexState" WHERE "Name" = 'Accounts') BEGIN
                    INSERT INTO "AccountsSearch"("AccountsSearch", rowid, "Username", "Name")
                    VALUES ('delete', old."Id", old."NormalizedUsername", coalesce(old."FirstName", '') || ' ' || coalesce(old."LastName", ''));
                    INSERT INTO "AccountsSearch"(rowid, "Username", "Name")
                    VALUES (new."Id", new."NormalizedUsername", coalesce(new."FirstName", '') || ' ' || coalesce(new."LastName", ''));
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Accounts_Search_Delete" AFTER DELETE ON "Accounts"
                WHEN old."Id" <= (SELECT "IndexedThrough" FROM "SearchIndexState" WHERE "Name" = 'Accounts') BEGIN
                    INSERT INTO "AccountsSearch"("AccountsSearch", rowid, "Username", "Name")
                    VALUES ('delete', old."Id", old."NormalizedUsername", coalesce(old."FirstName", '') || ' ' || coalesce(old."LastName", ''));
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "Accounts_Search_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "Accounts_Search_Update";""");
            // Index what the catch-up had not reached yet, then go back to one trigger call per row.
            migrationBuilder.Sql("""
                INSERT INTO "AccountsSearch"(rowid, "Username", "Name")
                SELECT "Id", "NormalizedUsername", coalesce("FirstName", '') || ' ' || coalesce("LastName", '') FROM "Accounts"
                WHERE "Id" > (SELECT "IndexedThrough" FROM "SearchIndexState" WHERE "Name" = 'Accounts');
                """);
            migrationBuilder.Sql("""DROP TABLE "SearchIndexState";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "Accounts_Search_Insert" AFTER INSERT ON "Accounts" BEGIN
                    INSERT INTO "AccountsSearch"(rowid, "Username", "Name")
                    VALUES (new."Id", new."NormalizedUsername", coalesce(new."FirstName", '') || ' ' || coalesce(new."LastName", ''));
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Accounts_Search_Update" AFTER UPDATE OF "NormalizedUsername", "FirstName", "LastName" ON "Accounts" BEGIN
                    INSERT INTO "AccountsSearch"("AccountsSearch", rowid, "Username", "Name")
                    VALUES ('delete', old."Id", old."NormalizedUsername", coalesce(old."FirstName", '') || ' ' || coalesce(old."LastName", ''));
                    INSERT INTO "AccountsSearch"(rowid, "Username", "Name")
                    VALUES (new."Id", new."NormalizedUsername", coalesce(new."FirstName", '') || ' ' || coalesce(new."LastName", ''));
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Accounts_Search_Delete" AFTER DELETE ON "Accounts" BEGIN
                    INSERT INTO "AccountsSearch"("AccountsSearch", rowid, "Username", "Name")
                    VALUES ('delete', old."Id", old."NormalizedUsername", coalesce(old."FirstName", '') || ' ' || coalesce(old."LastName", ''));
                END;
                """);
        }
    }
}
