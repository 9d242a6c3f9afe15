using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Tests;
using static Microsoft.Playwright.Assertions;
using W = MultiLine.Tests.TestWorkbook;

namespace MultiLine.Browser.Tests;

/// <summary>Excel workbooks in the Add Account dialog: a workbook made by a real library, its sheet picked and imported; the template with numbers filled in and imported.</summary>
public sealed class XlsxImportTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(IPage Page, AddAccountDialog Dialog)> OpenAsync(string organization)
    {
        var page = await browser.SignedInPageAsync("accounts");
        await new AccountsPage(page).WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(page);
        await dialog.OpenMultipleAccountsAsync();
        await dialog.ChooseOrganizationAsync(organization);
        return (page, dialog);
    }

    [Fact]
    public async Task AWorkbookWithSeveralSheetsIsReadFromThePickedSheetAndImported()
    {
        var (page, dialog) = await OpenAsync("Acme Sales");
        var workbook = W.Create()
            .Sheet("Cover", [["Accounts for Acme Sales"]])
            .Sheet("People",
            [
                W.Header,
                W.Row("xlsx.ada@sales.acme.example", first: "Ada"),
                W.Row("xlsx.alan@sales.acme.example", first: "Alan", forwarding: "+14155550177"),
                W.Row("xlsx.grace@sales.acme.example", first: "Grace", forwarding: W.Number(14155550188)),
            ])
            .ToBytes();

        await dialog.UploadWorkbookAsync("people.xlsx", workbook);

        // The first sheet holds no accounts: the picker offers the others.
        await Expect(dialog.Dialog.GetByText("The workbook has 2 sheets; choose the one with the accounts.")).ToBeVisibleAsync();
        await dialog.ChooseSheetAsync("People");
        await Expect(dialog.Dialog.GetByText("2 valid", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.Dialog.GetByText("1 invalid", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.ProblemRows.Filter(new() { HasText = "Excel stored 14155550188 as a number, not text" })).ToContainTextAsync("forwarding_number");
        await Screenshots.SaveAsync(page, "xlsx-upload-preview");

        await dialog.ImportOnlyValidRowsAsync();
        await dialog.ImportAsync();

        var progress = new ProgressWindow(page);
        await Expect(progress.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 30_000 });
        await Expect(progress.State).ToHaveTextAsync("Completed with errors");
        await Expect(progress.RecentRows.Filter(new() { HasText = "xlsx.alan@sales.acme.example" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task APhoneNumberExcelDamagedInAWorkbookIsRepairedOnceAcceptedAndImported()
    {
        var (page, dialog) = await OpenAsync("Acme Sales");
        // Excel turned the forwarding number into a number and dropped its "+": the workbook holds 14155550166.
        var workbook = W.Create()
            .Sheet("Accounts",
            [
                W.Header,
                W.Row("xlsx.rita@sales.acme.example", first: "Rita", forwarding: W.Number(14155550166)),
                W.Row("xlsx.omar@sales.acme.example", first: "Omar"),
            ])
            .ToBytes();

        await dialog.UploadWorkbookAsync("damaged.xlsx", workbook);

        await Expect(dialog.Dialog.GetByText("1 invalid", new() { Exact = true })).ToBeVisibleAsync();
        var repairs = dialog.Dialog.Locator(".ml-repairs tbody tr");
        await Expect(repairs).ToHaveCountAsync(1);
        await Expect(repairs).ToContainTextAsync("14155550166");
        await Expect(repairs).ToContainTextAsync("+14155550166");
        // Nothing is repaired until the admin accepts it.
        await Expect(dialog.Dialog.Locator("td[data-cell='2-ForwardingNumber'] input")).ToHaveValueAsync("14155550166");

        await dialog.Dialog.GetByRole(AriaRole.Button, new() { Name = "Accept repair of row 2, forwarding_number" }).ClickAsync();

        await Expect(dialog.Dialog.GetByText("0 invalid", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.Dialog.GetByText("2 valid", new() { Exact = true })).ToBeVisibleAsync();
        await dialog.ImportAsync();

        var progress = new ProgressWindow(page);
        await Expect(progress.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 30_000 });
        await Expect(progress.State).ToHaveTextAsync("Completed");
        await using var db = browser.Portal.CreateDbContext();
        var rita = await db.Accounts.SingleAsync(a => a.Username == "xlsx.rita@sales.acme.example", Ct);
        Assert.Equal("+14155550166", rita.ForwardingNumber);
        var batch = await db.Batches.Where(b => b.FileName!.StartsWith("damaged")).SingleAsync(Ct);
        Assert.Equal((2, 1), (batch.Succeeded, batch.BrowserEditedRows));
    }

    [Fact]
    public async Task TheTemplateWithNumbersIsDownloadedFilledInAndImportedWithItsNumbers()
    {
        var (page, dialog) = await OpenAsync("Acme Sales");
        var numbers = dialog.TemplateWithNumbers;
        await numbers.GetByLabel("Numbers", new() { Exact = true }).FillAsync("3");
        await numbers.GetByLabel("Numbers", new() { Exact = true }).PressAsync("Tab");
        await Screenshots.SaveAsync(page, "xlsx-template-with-numbers");

        var download = await page.RunAndWaitForDownloadAsync(() => numbers.GetByRole(AriaRole.Link, new() { Name = ".xlsx with numbers" }).ClickAsync());

        Assert.Matches(@"^multiline-accounts-acme-sales-3-numbers\.xlsx$", download.SuggestedFilename);
        var (filled, prefilled) = FillNamesAndUsernames(await File.ReadAllBytesAsync(await download.PathAsync(), Ct), "withnumbers");
        Assert.Equal(3, prefilled.Count);
        Assert.All(prefilled, n => Assert.StartsWith("+", n));

        await dialog.UploadWorkbookAsync("acme-sales-numbers.xlsx", filled);
        await Expect(dialog.Dialog.GetByText("3 valid", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.Dialog.GetByText("0 invalid", new() { Exact = true })).ToBeVisibleAsync();
        await dialog.ImportAsync();

        var progress = new ProgressWindow(page);
        await Expect(progress.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 30_000 });
        await Expect(progress.State).ToHaveTextAsync("Completed");
        await Expect(progress.RecentRows.Filter(new() { HasText = "withnumbers." })).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task OnAPhoneTheTemplateLinksAndTheTemplateWithNumbersFitTheScreen()
    {
        var page = await browser.SignedInPageAsync("accounts");
        await page.SetViewportSizeAsync(390, 844);
        await new AccountsPage(page).WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(page);
        await dialog.OpenMultipleAccountsAsync();
        await dialog.ChooseOrganizationAsync("Acme Sales");

        await Expect(dialog.TemplateWithNumbers.GetByRole(AriaRole.Link, new() { Name = ".xlsx with numbers" })).ToBeVisibleAsync();
        await Expect(dialog.Dialog.GetByRole(AriaRole.Link, new() { Name = ".xlsx template" })).ToBeVisibleAsync();
        await Screenshots.SaveScreenAsync(page, "xlsx-upload-step-phone");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth"));
        Assert.Equal(0, await dialog.Dialog.Locator(".mud-dialog-content").EvaluateAsync<int>("e => e.scrollWidth - e.clientWidth"));
    }

    /// <summary>What the admin does in Excel: types a first name and a username on every pre-filled row of the Accounts sheet.</summary>
    private static (byte[] Workbook, List<string> Numbers) FillNamesAndUsernames(byte[] template, string prefix)
    {
        var numbers = new List<string>();
        using var stream = new MemoryStream();
        stream.Write(template);
        using (var document = SpreadsheetDocument.Open(stream, true))
        {
            var workbook = document.WorkbookPart!;
            var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().First();
            Assert.Equal("Accounts", sheet.Name?.Value);
            var rows = ((WorksheetPart)workbook.GetPartById(sheet.Id!.Value!)).Worksheet.Descendants<Row>().Where(r => r.RowIndex!.Value > 1);
            foreach (var row in rows)
            {
                var cells = row.Elements<Cell>().ToDictionary(c => c.CellReference!.Value![..1]);
                numbers.Add(cells["E"].InnerText);
                Type(cells["A"], "Typed");
                Type(cells["C"], $"{prefix}.{row.RowIndex!.Value}.{Guid.NewGuid():N}"[..(prefix.Length + 12)] + "@sales.acme.example");
            }
        }
        return (stream.ToArray(), numbers);
    }

    private static void Type(Cell cell, string text)
    {
        cell.DataType = CellValues.InlineString;
        cell.RemoveAllChildren();
        cell.InlineString = new InlineString(new Text(text));
    }
}
