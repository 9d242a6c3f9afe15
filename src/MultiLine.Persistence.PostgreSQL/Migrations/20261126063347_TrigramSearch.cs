using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.PostgreSQL.Migrations
{
    /// <summary>
    /// pg_trgm GIN indexes for the Accounts search: the username, the lower-cased "first last" name (the very expression
    /// <c>PostgreSqlEngine.AccountsContaining</c> compares, so the planner can use it) and the E.164 number. The search
    /// keeps its <c>LIKE</c>; the index only finds the candidates. No model change: the extension and the indexes live
    /// in this migration alone.
    /// </summary>
    public partial class TrigramSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Accounts_NormalizedUsername_Trigram" ON "Accounts" USING gin ("NormalizedUsername" gin_trgm_ops);
                """);
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Accounts_Name_Trigram" ON "Accounts"
                    USING gin (lower(COALESCE("FirstName", '') || ' ' || COALESCE("LastName", '')) gin_trgm_ops);
                """);
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Numbers_E164_Trigram" ON "Numbers" USING gin ("E164" gin_trgm_ops);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Numbers_E164_Trigram";""");
            migrationBuilder.Sql("""DROP INDEX "IX_Accounts_Name_Trigram";""");
            migrationBuilder.Sql("""DROP INDEX "IX_Accounts_NormalizedUsername_Trigram";""");
        }
    }
}
