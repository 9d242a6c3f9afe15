using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.Sqlite.Migrations
{
    /// <summary>
    /// Trigram indexes for the Accounts search (username, "first last" name, number digits): contentless FTS5 tables
    /// keyed by the row's id and kept in step by triggers, so every writer (EF, the bulk writers, raw SQL) feeds them.
    /// The trigram tokenizer folds case (Unicode, "MÜLLER" finds "müller") and keeps diacritics, as the search's LIKE did.
    /// No model change: the tables are not entities.
    /// </summary>
    public partial class TrigramSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "AccountsSearch" USING fts5(
                    "Username", "Name", content='', tokenize='trigram case_sensitive 0 remove_diacritics 0');
                """);
            migrationBuilder.Sql("""
                INSERT INTO "AccountsSearch"(rowid, "Username", "Name")
                SELECT "Id", "NormalizedUsername", coalesce("FirstName", '') || ' ' || coalesce("LastName", '') FROM "Accounts";
                """);
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

            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "NumbersSearch" USING fts5(
                    "E164", content='', tokenize='trigram case_sensitive 0 remove_diacritics 0');
                """);
            migrationBuilder.Sql("""INSERT INTO "NumbersSearch"(rowid, "E164") SELECT "Id", "E164" FROM "Numbers";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "Numbers_Search_Insert" AFTER INSERT ON "Numbers" BEGIN
                    INSERT INTO "NumbersSearch"(rowid, "E164") VALUES (new."Id", new."E164");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Numbers_Search_Update" AFTER UPDATE OF "E164" ON "Numbers" BEGIN
                    INSERT INTO "NumbersSearch"("NumbersSearch", rowid, "E164") VALUES ('delete', old."Id", old."E164");
                    INSERT INTO "NumbersSearch"(rowid, "E164") VALUES (new."Id", new."E164");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Numbers_Search_Delete" AFTER DELETE ON "Numbers" BEGIN
                    INSERT INTO "NumbersSearch"("NumbersSearch", rowid, "E164") VALUES ('delete', old."Id", old."E164");
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "Numbers_Search_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "Numbers_Search_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "Numbers_Search_Insert";""");
            migrationBuilder.Sql("""DROP TABLE "NumbersSearch";""");
            migrationBuilder.Sql("""DROP TRIGGER "Accounts_Search_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER "Accounts_Search_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "Accounts_Search_Insert";""");
            migrationBuilder.Sql("""DROP TABLE "AccountsSearch";""");
        }
    }
}
