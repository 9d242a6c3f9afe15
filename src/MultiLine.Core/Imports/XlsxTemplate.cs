using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Imports;

/// <summary>
/// The template as an Excel workbook: the CSV template's columns and rows on a sheet "Accounts", with no Note row to
/// delete. The phone columns are formatted as Text (<c>@</c>) for the whole column, so Excel keeps a typed +, leading
/// zero and every digit; columns with a short list of values get a drop-down; each column's instruction shows when a cell
/// of it is selected, and all of them are on a second sheet, "Instructions".
/// </summary>
public sealed record XlsxTemplate(string FileName, IReadOnlyList<CsvColumn> Columns, byte[] Content)
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string DataSheet = "Accounts";
    public const string InstructionsSheet = "Instructions";

    /// <summary>Columns Excel would turn into numbers (dropping the + and leading zeros) unless they are text.</summary>
    public static readonly IReadOnlyList<CsvColumn> PhoneColumns = [CsvColumn.Username, CsvColumn.MultiLineNumber, CsvColumn.ForwardingNumber];

    // Style indexes of the stylesheet below.
    private const uint Header = 1, TextFormat = 2, Wrapped = 3;

    /// <summary>The workbook; with <paramref name="numbers"/>, one row per number instead of the example row.</summary>
    /// <param name="formattedRows">How many rows below the header get the drop-downs (the import's row limit).</param>
    public static XlsxTemplate For(Organization organization, int formattedRows, IReadOnlyList<string>? numbers = null)
    {
        var columns = CsvTemplate.ColumnsFor(organization);
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            workbook.AddNewPart<WorkbookStylesPart>().Stylesheet = Styles();
            var accounts = workbook.AddNewPart<WorksheetPart>();
            accounts.Worksheet = AccountsSheet(columns, organization, numbers, Math.Max(formattedRows, numbers?.Count ?? 0));
            var instructions = workbook.AddNewPart<WorksheetPart>();
            instructions.Worksheet = InstructionSheet(columns, organization);
            workbook.Workbook.AppendChild(new Sheets(
                new Sheet { Id = workbook.GetIdOfPart(accounts), SheetId = 1, Name = DataSheet },
                new Sheet { Id = workbook.GetIdOfPart(instructions), SheetId = 2, Name = InstructionsSheet }));
        }
        return new XlsxTemplate(CsvTemplate.FileNameFor(organization, numbers, "xlsx"), columns, stream.ToArray());
    }

    private static Worksheet AccountsSheet(CsvColumn[] columns, Organization organization, IReadOnlyList<string>? numbers, int formattedRows)
    {
        var lastRow = (uint)formattedRows + 1;
        var widths = new Columns(columns.Select((c, i) => new Column
        {
            Min = (uint)i + 1, Max = (uint)i + 1, CustomWidth = true,
            Width = c switch
            {
                CsvColumn.Username => 32,
                CsvColumn.MultiLineNumber or CsvColumn.ForwardingNumber => 20,
                _ => Math.Max(12, c.Name().Length + 3),
            },
            // A column's style is what Excel gives the cells typed into it: text for the phone columns.
            Style = PhoneColumns.Contains(c) ? TextFormat : null,
        }));
        var data = new SheetData(Row(1, columns.Select(c => c.Name()), _ => Header));
        var rowIndex = 2u;
        foreach (var row in CsvTemplate.Rows(columns, organization, numbers))
            data.Append(Row(rowIndex++, row, i => PhoneColumns.Contains(columns[i]) ? TextFormat : null));

        var validations = new DataValidations();
        for (var i = 0; i < columns.Length; i++)
        {
            var range = $"{CsvColumns.Letter(i)}2:{CsvColumns.Letter(i)}{lastRow}";
            var instruction = CsvTemplate.Instruction(columns[i], organization);
            var validation = new DataValidation
            {
                SequenceOfReferences = new ListValue<StringValue> { InnerText = range },
                AllowBlank = true,
                ShowInputMessage = true,
                PromptTitle = Cut(columns[i].Name(), 32),
                Prompt = Cut(instruction, 255),
            };
            if (CsvTemplate.Choices(columns[i], organization) is { } choices)
            {
                validation.Type = DataValidationValues.List;
                validation.ShowErrorMessage = true;
                validation.ErrorStyle = DataValidationErrorStyleValues.Warning;
                validation.ErrorTitle = Cut(columns[i].Name(), 32);
                validation.Error = Cut($"Choose one of {CsvColumns.JoinAnd(choices)}.", 255);
                validation.Formula1 = new Formula1($"\"{string.Join(',', choices)}\"");
            }
            validations.Append(validation);
        }
        validations.Count = (uint)columns.Length;

        // The header stays in view while scrolling.
        var views = new SheetViews(new SheetView(
            new Pane { VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen },
            new Selection { Pane = PaneValues.BottomLeft, ActiveCell = "A2", SequenceOfReferences = new ListValue<StringValue> { InnerText = "A2" } })
        { TabSelected = true, WorkbookViewId = 0 });
        return new Worksheet(views, widths, data, validations);
    }

    private static Worksheet InstructionSheet(CsvColumn[] columns, Organization organization)
    {
        var data = new SheetData(
            Row(1, ["column", "what to enter"], _ => Header),
            Row(2, ["", $"Fill in the {DataSheet} sheet, one account per row, and upload the workbook: it has no Note row to delete. The phone columns are formatted as Text, so Excel keeps the + and every digit."], _ => Wrapped));
        var rowIndex = 3u;
        foreach (var column in columns)
            data.Append(Row(rowIndex++, [column.Name(), CsvTemplate.Instruction(column, organization)], i => i == 1 ? Wrapped : null));
        var widths = new Columns(
            new Column { Min = 1, Max = 1, Width = 36, CustomWidth = true },
            new Column { Min = 2, Max = 2, Width = 100, CustomWidth = true });
        return new Worksheet(widths, data);
    }

    private static Row Row(uint index, IEnumerable<string> values, Func<int, uint?> style)
    {
        var row = new Row { RowIndex = index };
        var i = 0;
        foreach (var value in values)
        {
            var cell = new Cell { CellReference = CsvColumns.Letter(i) + index, StyleIndex = style(i) };
            if (value.Length > 0)
            {
                cell.DataType = CellValues.InlineString;
                cell.InlineString = new InlineString(new Text(value) { Space = SpaceProcessingModeValues.Preserve });
            }
            row.Append(cell);
            i++;
        }
        return row;
    }

    private static Stylesheet Styles() => new(
        new Fonts(new Font(new FontSize { Val = 11 }, new FontName { Val = "Calibri" }),
            new Font(new Bold(), new FontSize { Val = 11 }, new FontName { Val = "Calibri" })) { Count = 2 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }),
            new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder())) { Count = 1 },
        new CellStyleFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
        new CellFormats(
            new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 },
            new CellFormat { NumberFormatId = 49, FontId = 1, FillId = 0, BorderId = 0, FormatId = 0, ApplyFont = true, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 49, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyNumberFormat = true },
            new CellFormat(new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top }) { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0, ApplyAlignment = true })
        { Count = 4 },
        new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
