using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Web.Reports;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>"Undo import" on a batch's page: the confirmation says what will happen; a refusal is a disabled button with the reason.</summary>
public sealed class UndoImportTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;

    /// <summary>
    /// A finished import of Acme Sales with its own accounts: the first holds a number and an unused invitation; the
    /// others are in <paramref name="statuses"/>.
    /// </summary>
    private async Task<(int BatchId, string Number)> AddImportAsync(BatchState state = BatchState.Completed, params AccountStatus[] statuses)
    {
        await using var db = portal.Factory.CreateDbContext();
        var organization = await db.Organizations.SingleAsync(o => o.Name == "Acme Sales", Cancel);
        var group = await db.PermissionGroups.OrderBy(g => g.Id).FirstAsync(Cancel);
        var unique = Guid.NewGuid().ToString("N")[..8];
        var accounts = new[] { AccountStatus.Invited }.Concat(statuses).Select((status, i) => new Account
        {
            Username = $"undo-{unique}-{i}@acme.example", NormalizedUsername = $"undo-{unique}-{i}@acme.example", OrganizationId = organization.Id,
            PermissionGroupId = group.Id, Status = status, CreatedAtUtc = DateTime.UtcNow,
        }).ToList();
        db.Accounts.AddRange(accounts);
        await db.SaveChangesAsync(Cancel);
        var number = "+1998" + Random.Shared.Next(1_000_000, 9_999_999);
        db.Numbers.Add(new MultiLineNumber { E164 = number, OrganizationId = organization.Id, AccountId = accounts[0].Id, State = NumberState.Assigned });
        db.Invitations.Add(new Invitation { AccountId = accounts[0].Id, TokenHash = ActivationTokens.Hash(ActivationTokens.NewToken()), CreatedAtUtc = DateTime.UtcNow, ExpiresAtUtc = DateTime.UtcNow.AddDays(14) });
        var batch = new BatchOperation
        {
            Kind = BatchKind.ImportAndInvite, State = state, AdminName = "Test", OrganizationId = organization.Id, FileName = $"undo-{unique}.csv",
            TotalRows = accounts.Count, Succeeded = accounts.Count, CreatedAtUtc = DateTime.UtcNow, StartedAtUtc = DateTime.UtcNow,
            FinishedAtUtc = BatchStates.IsFinished(state) ? DateTime.UtcNow : null,
            // A running one is claimed by another worker for long: this test's portal leaves it alone.
            ClaimedBy = BatchStates.IsFinished(state) ? null : "another-instance", ClaimExpiresAtUtc = BatchStates.IsFinished(state) ? null : DateTime.UtcNow.AddHours(1),
            Rows = accounts.Select((a, i) => new BatchRow { RowNumber = i + 2, Username = a.Username, NormalizedUsername = a.NormalizedUsername, AccountId = a.Id, Outcome = RowOutcome.Succeeded }).ToList(),
        };
        db.Batches.Add(batch);
        await db.SaveChangesAsync(Cancel);
        return (batch.Id, number);
    }

    private static IRenderedComponent<MudDialogProvider> Open(BunitContext context, int batchId, out IRenderedComponent<BatchDetailPage> page)
    {
        context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var dialogs = context.Render<MudDialogProvider>();
        context.Render<MudPopoverProvider>();
        page = context.Render<BatchDetailPage>(p => p.Add(c => c.BatchId, batchId));
        return dialogs;
    }

    private static string UndoTooltip(IRenderedComponent<BatchDetailPage> page)
    {
        var button = page.FindAll("button").Single(b => b.TextContent.Trim() == "Undo import");
        Assert.True(button.HasAttribute("disabled"));
        button.Closest(".mud-tooltip-root")!.PointerEnter();
        return page.FindComponents<MudTooltip>().Single(t => t.Instance.Text?.Contains("undo", StringComparison.OrdinalIgnoreCase) == true).Instance.Text!;
    }

    [Fact]
    public async Task UndoImportConfirmsWhatWillHappenThenOpensTheUndoBatch()
    {
        var (batchId, _) = await AddImportAsync(BatchState.Completed, AccountStatus.NotInvited);
        await using var context = PortalTestContext.Create(portal.Factory);
        var dialogs = Open(context, batchId, out var page);

        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Undo import" && !b.HasAttribute("disabled")));
        dialogs.WaitForAssertion(() => Assert.Contains(
            "2 accounts will be deleted, 1 number will be back to Available and 1 invitation will be revoked (the activation links stop working).",
            dialogs.Markup, StringComparison.Ordinal));
        dialogs.ClickOn(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Undo import"));

        // The undo is stored, then the page opens it: wait for the navigation before reading the store.
        var navigation = context.Services.GetRequiredService<BunitNavigationManager>();
        page.WaitForAssertion(() => Assert.Matches(@"reports/\d+$", navigation.Uri));
        await using var db = portal.Factory.CreateDbContext();
        var undo = await db.Batches.AsNoTracking().SingleAsync(b => b.UndoOfBatchId == batchId, Cancel);
        Assert.EndsWith($"reports/{undo.Id}", navigation.Uri, StringComparison.Ordinal);
        Assert.Equal((BatchKind.UndoImport, 2), (undo.Kind, undo.TotalRows));
    }

    [Fact]
    public async Task AnImportWithActivatedAccountsShowsUndoDisabledWithHowManyOnHover()
    {
        var (batchId, _) = await AddImportAsync(BatchState.Completed, AccountStatus.Active, AccountStatus.Active, AccountStatus.Active);
        await using var context = PortalTestContext.Create(portal.Factory);
        Open(context, batchId, out var page);

        page.WaitForAssertion(() => Assert.Equal(
            "This import cannot be undone: 3 accounts have activated since. Delete the other accounts from the Accounts page instead.", UndoTooltip(page)));
    }

    [Fact]
    public async Task ARunningImportSaysToWaitOrCancelBeforeUndoing()
    {
        var (batchId, _) = await AddImportAsync(BatchState.Running);
        await using var context = PortalTestContext.Create(portal.Factory);
        Open(context, batchId, out var page);

        page.WaitForAssertion(() => Assert.Equal(ImportUndo.StillRunning, UndoTooltip(page)));
        Assert.Contains(page.FindAll("button"), b => b.TextContent.Trim() == "Cancel batch");
    }

    [Fact]
    public async Task AnUndoneImportLinksToItsUndoAndTheUndoBackToIt()
    {
        var (batchId, _) = await AddImportAsync();
        int undoId;
        await using (var db = portal.Factory.CreateDbContext())
        {
            var undo = new BatchOperation
            {
                Kind = BatchKind.UndoImport, State = BatchState.Completed, AdminName = "Test", OrganizationId = (await db.Batches.SingleAsync(b => b.Id == batchId, Cancel)).OrganizationId,
                UndoOfBatchId = batchId, CreatedAtUtc = DateTime.UtcNow, FinishedAtUtc = DateTime.UtcNow,
            };
            db.Batches.Add(undo);
            await db.SaveChangesAsync(Cancel);
            undoId = undo.Id;
        }
        await using var context = PortalTestContext.Create(portal.Factory);
        Open(context, batchId, out var original);
        var undone = context.Render<BatchDetailPage>(p => p.Add(c => c.BatchId, undoId));

        original.WaitForAssertion(() => Assert.Equal($"reports/{undoId}", original.FindAll("a").Single(a => a.TextContent.Trim() == $"batch {undoId}").GetAttribute("href")));
        Assert.Contains("Undone by", original.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(original.FindAll("button"), b => b.TextContent.Trim() == "Undo import");
        undone.WaitForAssertion(() => Assert.Equal($"reports/{batchId}", undone.FindAll("a").Single(a => a.TextContent.Trim() == $"batch {batchId}").GetAttribute("href")));
        Assert.Contains($"Undo of batch {batchId}", undone.Markup, StringComparison.Ordinal);
    }
}
