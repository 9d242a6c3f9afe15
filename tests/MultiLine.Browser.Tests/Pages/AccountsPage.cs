using Microsoft.Playwright;

namespace MultiLine.Browser.Tests.Pages;

/// <summary>The Accounts table. Rows appear only once the circuit is interactive, so waiting for them waits for that too.</summary>
public sealed class AccountsPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Accounts", Exact = true, Level = 1 });
    public ILocator Rows => page.Locator("table tbody tr.mud-table-row");
    public ILocator Pager => page.Locator(".mud-table-pagination-caption").Last;
    public ILocator Search => page.GetByPlaceholder("Name, username or number");

    public async Task WaitUntilLoadedAsync()
    {
        await Heading.WaitForAsync();
        await Rows.First.WaitForAsync();
    }

    public Task NextPageAsync() => page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
}
