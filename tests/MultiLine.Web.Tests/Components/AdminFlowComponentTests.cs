using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;
using MultiLine.Web.Accounts;
using MultiLine.Web.Organizations;
using MultiLine.Web.Reports;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The states of the upload preview, the progress view and the Move dialog.</summary>
public sealed class AdminFlowComponentTests(PortalFixture portal) : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);
    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;

    private static ImportRow ValidRow(int row, string username) => new(row, new AccountInput { Username = username },
        new AccountDraft(null, null, Username.TryParse(username, out var u, out _) ? u! : throw new InvalidOperationException(), false, null,
            MonitorCalls.Auto, MonitorSms.On, null, false, Language.English), []);

    private static ImportRow InvalidRow(int row, string column, string value, string message) =>
        new(row, new AccountInput(), null, [new ImportProblem(row, column, value, message, ProblemSeverity.Error)]);

    [Fact]
    public void ThePreviewCountsRowsAndListsEveryProblemByRowAndColumn()
    {
        var result = new ImportValidationResult(
            [ImportProblem.FileWarning("The template's \"Note\" row was skipped.")],
            [ValidRow(2, "a@acme.example"), InvalidRow(3, "monitor_sms", "yes", "\"yes\" is not one of on, off."), ValidRow(4, "b@acme.example")],
            "abc", new ImportCapacity(2, new FreeCapacity(120, 0)));

        var preview = _context.Render<ImportPreview>(p => p.Add(c => c.Result, result));

        Assert.Contains("2 valid", preview.Markup);
        Assert.Contains("1 invalid", preview.Markup);
        Assert.Contains("The template's \"Note\" row was skipped.", preview.Markup);
        Assert.Contains("2 rows without a number; 120 Available numbers, 0 pending accounts waiting for a number: free capacity 120.", preview.Markup);
        var problem = Assert.Single(preview.FindAll(".ml-problems tbody tr"));
        Assert.Equal(["3", "monitor_sms", "\"yes\" is not one of on, off."], problem.QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
    }

    [Fact]
    public void ImportAndInviteIsDisabledWhenCapacityIsShortAndSaysWhyOnHover()
    {
        var popovers = _context.Render<MudPopoverProvider>();
        var result = new ImportValidationResult([], [ValidRow(2, "a@acme.example"), ValidRow(3, "b@acme.example")], "abc",
            new ImportCapacity(38, new FreeCapacity(20, 0)));

        var actions = _context.Render<ImportActions>(p => p.Add(c => c.Result, result));

        Assert.False(actions.FindAll("button").Single(b => b.TextContent == "Import").HasAttribute("disabled"));
        var invite = actions.FindAll("button").Single(b => b.TextContent.Contains("Import & Invite"));
        Assert.True(invite.HasAttribute("disabled"));
        invite.Closest(".mud-tooltip-root")!.PointerEnter();
        popovers.WaitForAssertion(() => Assert.Contains(
            "38 rows without a number; 20 Available numbers, 0 pending accounts waiting for a number: free capacity 20. Import &amp; Invite needs free capacity for every row without a number: use Import, or add numbers to the organization first.", popovers.Markup));
    }

    [Fact]
    public void ImportWaitsForTheAdminToAcceptSkippingInvalidRows()
    {
        var result = new ImportValidationResult([], [ValidRow(2, "a@acme.example"), InvalidRow(3, "monitor_sms", "yes", "bad")], "abc",
            new ImportCapacity(1, new FreeCapacity(20, 0)));

        var blocked = _context.Render<ImportActions>(p => p.Add(c => c.Result, result).Add(c => c.OnlyValidRows, false));
        var allowed = _context.Render<ImportActions>(p => p.Add(c => c.Result, result).Add(c => c.OnlyValidRows, true));

        Assert.True(blocked.FindAll("button").Single(b => b.TextContent == "Import").HasAttribute("disabled"));
        Assert.False(allowed.FindAll("button").Single(b => b.TextContent == "Import").HasAttribute("disabled"));
    }

    [Fact]
    public async Task TheProgressViewFollowsRowEventsAndShowsFailures()
    {
        int batchId;
        await using (var db = portal.Factory.CreateDbContext())
        {
            var organization = await db.Organizations.FirstAsync(o => o.Name == "Acme Sales", Cancel);
            var batch = new BatchOperation { Kind = BatchKind.Import, State = BatchState.Running, AdminName = "Test", OrganizationId = organization.Id, TotalRows = 4, CreatedAtUtc = DateTime.UtcNow, StartedAtUtc = DateTime.UtcNow };
            db.Batches.Add(batch);
            await db.SaveChangesAsync(Cancel);
            batchId = batch.Id;
        }
        var notifier = portal.Factory.Services.GetRequiredService<BatchProgressNotifier>();
        var view = _context.Render<BatchProgressView>(p => p.Add(c => c.BatchId, batchId));
        view.WaitForAssertion(() => Assert.Contains("of 4 rows", view.Markup));

        notifier.Publish(new RowProcessed(batchId, 2, RowOutcome.Succeeded, null, "a@sales.acme.example", null, new BatchCounts(4, 1, 0, 0)));
        notifier.Publish(new RowProcessed(batchId, 3, RowOutcome.Failed, "\"yes\" is not one of on, off.", "b@sales.acme.example", null, new BatchCounts(4, 1, 1, 0)));

        view.WaitForAssertion(() =>
        {
            Assert.Equal("50", view.Find("[aria-label='Batch progress']").GetAttribute("aria-valuenow"));
            Assert.Equal(2, view.FindAll(".ml-recent-rows tbody tr").Count);
            Assert.Contains("\"yes\" is not one of on, off.", view.Find(".ml-recent-rows tr.ml-row-failed").TextContent);
        });
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenMoveDialogAsync(string destination, int accounts)
    {
        await using var db = portal.Factory.CreateDbContext();
        var ids = await db.Accounts.Where(a => a.Status == AccountStatus.NotInvited && a.Organization!.Name != destination)
            .OrderBy(a => a.Id).Select(a => a.Id).Take(accounts).ToListAsync(Cancel);
        var destinationId = await db.Organizations.Where(o => o.Name == destination).Select(o => o.Id).SingleAsync(Cancel);
        _context.Render<MudPopoverProvider>();
        var dialogs = _context.Render<MudDialogProvider>();
        var parameters = new DialogParameters<MoveDialog> { { d => d.AccountIds, ids } };
        await dialogs.InvokeAsync(() => _context.Services.GetRequiredService<IDialogService>().ShowAsync<MoveDialog>("Move accounts", parameters));
        var select = dialogs.FindComponent<OrganizationSelect>();
        await dialogs.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(destinationId));
        dialogs.WaitForAssertion(() => Assert.Contains("selected accounts will move to", dialogs.Markup));
        return dialogs;
    }

    [Fact]
    public async Task MoveIsDisabledWhenTheDestinationLacksNumbers()
    {
        var dialogs = await OpenMoveDialogAsync("Support EMEA", accounts: 5);

        var move = dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent == "Move");
        Assert.True(move.HasAttribute("disabled"));
        Assert.Equal("Unable to move account(s). You do not have enough numbers available in the selected organization",
            dialogs.FindComponent<MultiLine.Web.Components.Shared.DisabledAction>().Instance.Reason);
    }

    [Fact]
    public async Task MoveIsEnabledWhenTheDestinationHasTheNumbersAndSaysWhatHappens()
    {
        var dialogs = await OpenMoveDialogAsync("Health Monitor", accounts: 3);

        var move = dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent == "Move");
        Assert.False(move.HasAttribute("disabled"));
        Assert.Contains("give up any number they hold (it goes back to Available) and get its default User Permissions group, \"Standard\"", dialogs.Markup);
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
