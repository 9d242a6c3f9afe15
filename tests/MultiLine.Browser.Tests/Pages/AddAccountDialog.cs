using Microsoft.Playwright;

namespace MultiLine.Browser.Tests.Pages;

/// <summary>The Add Account dialog: its Multiple Accounts tab, as the help article walks through it, and its Single Account tab.</summary>
public sealed class AddAccountDialog(IPage page)
{
    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);
    /// <summary>The rows with problems, each with its problems: the editable grid lists them (the preview's own table does not repeat them).</summary>
    public ILocator ProblemRows => Dialog.Locator(".ml-edit-grid tbody tr");

    public async Task OpenMultipleAccountsAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Add Account" }).ClickAsync();
        await Dialog.GetByRole(AriaRole.Tab, new() { Name = "Multiple Accounts" }).ClickAsync();
    }

    public Task OpenSingleAccountAsync() => page.GetByRole(AriaRole.Button, new() { Name = "Add Account" }).ClickAsync();

    public ILocator Username => Dialog.GetByLabel("Email address or device");

    /// <summary>The error under the username field, as MudBlazor writes it in the field's helper line.</summary>
    public ILocator UsernameError => Dialog.Locator(".mud-input-control").Filter(new() { Has = page.GetByLabel("Email address or device") }).Locator(".mud-input-helper-text.mud-input-error");

    public ILocator Button(string name) => Dialog.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    /// <summary>On the Single Account tab: chooses the organization, then waits until Save can be used.</summary>
    public async Task ChooseSingleAccountOrganizationAsync(string name)
    {
        await SelectOrganizationAsync(Dialog.GetByLabel("Choose Organization").First, name);
        await Expect(Button("Save")).ToBeEnabledAsync();
    }

    public async Task ChooseOrganizationAsync(string name)
    {
        await SelectOrganizationAsync(Dialog.GetByLabel("Choose Organization").Last, name);
        await Expect(Dialog.GetByRole(AriaRole.Button, new() { Name = "Upload" })).ToBeEnabledAsync();
    }

    private async Task SelectOrganizationAsync(ILocator select, string name)
    {
        // The drop-down stays disabled until the organizations in scope are loaded.
        await Expect(select).ToBeEnabledAsync();
        var option = page.Locator(".mud-popover-open .mud-list-item").GetByText(name, new() { Exact = true });
        await select.ClickAsync();
        try
        {
            await Expect(option).ToBeVisibleAsync(new() { Timeout = 5_000 });
        }
        catch (PlaywrightException)
        {
            // Seen once in many runs on a loaded machine: the first click on a freshly rendered tab did not open the
            // list. A second click is what an admin would do too.
            await select.ClickAsync();
        }
        await option.ClickAsync();
    }

    public Task UploadAsync(string fileName, byte[] content) =>
        Dialog.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = "text/csv", Buffer = content });

    /// <summary>An Excel workbook, picked as a browser hands it over.</summary>
    public Task UploadWorkbookAsync(string fileName, byte[] content) =>
        Dialog.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = fileName, MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = content,
        });

    /// <summary>The sheet picker shown for a workbook with several sheets.</summary>
    public ILocator SheetPicker => Dialog.GetByLabel("Sheet");

    public Task ChooseSheetAsync(string name) => SelectOrganizationAsync(SheetPicker, name);

    /// <summary>The number field and download buttons of "Template with numbers".</summary>
    public ILocator TemplateWithNumbers => Dialog.GetByTestId("template-with-numbers");

    public Task ImportAsync() => Dialog.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();

    public Task ImportOnlyValidRowsAsync() => Dialog.GetByText("Import only the").ClickAsync();

    public Task ImportAndInviteAsync() => Dialog.GetByRole(AriaRole.Button, new() { Name = "Import & Invite" }).ClickAsync();

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
