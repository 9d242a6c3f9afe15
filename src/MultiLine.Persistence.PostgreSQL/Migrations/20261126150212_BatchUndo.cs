using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MultiLine.Persistence.PostgreSQL.Migrations
{
    /// <inheritdoc />
    public partial class BatchUndo : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "UndoOfBatchId",
                table: "Batches",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Batches_UndoOfBatchId",
                table: "Batches",
                column: "UndoOfBatchId",
                unique: true,
                filter: "\"UndoOfBatchId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Batches_UndoOfBatchId",
                table: "Batches");

            migrationBuilder.DropColumn(
                name: "UndoOfBatchId",
                table: "Batches");
        }
    }
}
