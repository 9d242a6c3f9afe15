using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Core.Activity;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Web.Numbers;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The Numbers page's dialogs and the utilization page, against the demo portal.</summary>
public sealed class NumbersComponentTests(PortalFixture portal) : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private async Task<OrganizationOption> OrganizationAsync(string name)
    {
        await using var db = portal.Factory.CreateDbContext();
        return (await OrganizationDirectory.ListAsync(db, Ct)).Single(o => o.Name == name);
    }

    [Fact]
    public async Task APastedListIsCheckedFirstAndAddingPutsInOnlyTheAcceptedNumbers()
    {
        var sales = await OrganizationAsync("Acme Sales");
        string existing;
        await using (var db = portal.Factory.CreateDbContext())
            existing = await db.Numbers.Where(n => n.OrganizationId == sales.Id).Select(n => n.E164).FirstAsync(Ct);
        _context.Render<MudPopoverProvider>();
        var provider = _context.Render<MudDialogProvider>();
        var dialogs = _context.Services.GetRequiredService<IDialogService>();
        IDialogReference? reference = null;
        await provider.InvokeAsync(async () => reference = await dialogs.ShowAsync<AddNumberRangeDialog>("Add numbers",
            new DialogParameters<AddNumberRangeDialog> { { d => d.OrganizationId, sales.Id } }));

        provider.ClickOn(() => provider.FindAll(".mud-tab").Single(t => t.TextContent.Trim() == "List"));
        IRenderedComponent<MudTextField<string>>? box = null;
        provider.WaitForAssertion(() => box = provider.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Numbers"));
        await provider.InvokeAsync(() => box!.Instance.ValueChanged.InvokeAsync($"+19875550100, +19875550101\n{existing}"));
        provider.ClickOn(() => provider.FindAll("button").Single(b => b.TextContent.Trim() == "Check list"));

        provider.WaitForAssertion(() => Assert.Contains("2 numbers will be added to Acme Sales, 1 refused.", provider.Markup));
        Assert.Contains($"Line 2: {existing} already belongs to Acme Sales.", provider.Markup);
        provider.ClickOn(() => provider.FindAll("button").Single(b => b.TextContent.Trim() == "Add 2 numbers"));

        var result = await reference!.Result.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(2, result!.Data);
        await using var check = portal.Factory.CreateDbContext();
        Assert.Equal(2, await check.Numbers.CountAsync(n => n.E164.StartsWith("+1987555010") && n.OrganizationId == sales.Id && n.State == NumberState.Available, Ct));
        Assert.Equal(1, await check.ActivityEntries.CountAsync(e => e.Action == ActivityActions.NumbersAdd && e.OrganizationId == sales.Id, Ct));
    }

    [Fact]
    public async Task AllocatingMoreThanAreAvailableShowsHowManyThereAre()
    {
        var acme = await OrganizationAsync("Acme Corp");
        var sales = await OrganizationAsync("Acme Sales");
        int available;
        await using (var db = portal.Factory.CreateDbContext())
            available = await db.Numbers.CountAsync(n => n.OrganizationId == acme.Id && n.State == NumberState.Available && n.AccountId == null, Ct);
        _context.Render<MudPopoverProvider>();
        var provider = _context.Render<MudDialogProvider>();
        var dialogs = _context.Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<MoveNumbersDialog>("Allocate numbers", new DialogParameters<MoveNumbersDialog>
        {
            { d => d.Organization, acme }, { d => d.SubOrganizations, [sales] },
        }));

        var quantity = provider.WaitForComponent<MudNumericField<int>>();
        await provider.InvokeAsync(() => quantity.Instance.ValueChanged.InvokeAsync(available + 1));
        provider.ClickOn(() => provider.FindAll("button").Single(b => b.TextContent.Trim() == "Allocate"));

        provider.WaitForAssertion(() => Assert.Contains(
            $"Acme Corp has only {available:N0} Available number{(available == 1 ? "" : "s")}; {available + 1:N0} cannot be allocated to Acme Sales.", provider.Markup));
    }

    [Fact]
    public async Task WithdrawIsDisabledWithTheReasonForATopOrganization()
    {
        var acme = await OrganizationAsync("Acme Corp");
        var sales = await OrganizationAsync("Acme Sales");

        var popovers = _context.Render<MudPopoverProvider>();
        var actions = _context.Render<NumberActions>(p => p.Add(a => a.Organization, acme).Add(a => a.Organizations, [acme, sales]));

        actions.Find(".mud-tooltip-root").PointerEnter();

        popovers.WaitForAssertion(() => Assert.Contains("Acme Corp has no parent organization to withdraw numbers to.", popovers.Markup));
        Assert.False(actions.FindAll("button").Single(b => b.TextContent.Trim() == "Allocate").HasAttribute("disabled"));
    }

    [Fact]
    public async Task TheUtilizationPageShowsThePercentageAChartAndSavesTheThreshold()
    {
        var health = await OrganizationAsync("Health Monitor");
        _context.Render<MudPopoverProvider>();
        _context.Render<MudSnackbarProvider>();
        var navigation = _context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"/numbers/utilization?organization={health.Id}");
        var page = _context.Render<NumberUtilizationPage>();
        NumberUtilization expected;
        await using (var db = portal.Factory.CreateDbContext())
            expected = (await NumberUtilization.ForAsync(db, health.Id, Ct))!;

        page.WaitForAssertion(() => Assert.Equal($"{expected.UsedPercent} % in use", page.Find("[data-testid=utilization-percent]").TextContent.Trim()));
        Assert.NotEmpty(page.FindAll("svg"));
        var toggle = page.FindComponent<MudSwitch<bool>>();
        await page.InvokeAsync(() => toggle.Instance.ValueChanged.InvokeAsync(true));
        var threshold = page.FindComponent<MudNumericField<int>>();
        await page.InvokeAsync(() => threshold.Instance.ValueChanged.InvokeAsync(80));
        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Save"));

        await using var check = portal.Factory.CreateDbContext();
        page.WaitForAssertion(() => Assert.Equal(80, check.Organizations.AsNoTracking().Single(o => o.Id == health.Id).UtilizationThresholdPercent));
        Assert.Equal(1, await check.ActivityEntries.CountAsync(e => e.Action == ActivityActions.NumbersThreshold && e.OrganizationId == health.Id, Ct));
    }
}
