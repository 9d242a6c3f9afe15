using Microsoft.Playwright;

namespace MultiLine.Browser.Tests.Pages;

/// <summary>The batch page's table of every row: its outcome chips, search box and rows.</summary>
public sealed class BatchRows(IPage page)
{
    private ILocator Root => page.Locator(".ml-batch-rows");

    /// <summary>Until the circuit is interactive, the chips and the search box do nothing.</summary>
    public Task WaitUntilInteractiveAsync() => page.Locator(".ml-batch-detail[data-interactive=true]").WaitForAsync();

    public ILocator Rows => Root.Locator("tbody tr.mud-table-row");

    public ILocator FailedRows => Root.Locator("tbody tr.mud-table-row.ml-row-failed");

    public Task ChooseOutcomeAsync(string outcome) => Root.Locator(".mud-chip").Filter(new() { HasText = outcome }).First.ClickAsync();

    public async Task SearchAsync(string text)
    {
        var box = Root.GetByRole(AriaRole.Textbox, new() { Name = "Search username, name, number or reason" });
        await box.FillAsync(text);
        await box.PressAsync("Enter");
    }
}
