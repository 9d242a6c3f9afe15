using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;
using MultiLine.Core.Tests.Invitations;
using MultiLine.Core.Webhooks;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Webhooks;

/// <summary>Each event's delivery rows are written by the change that raises it, in its transaction.</summary>
public sealed class WebhookEventTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<int> AddEndpointAsync(MultiLineDbContext db, int organizationId, WebhookEventTypes events, bool active = true)
    {
        var endpoint = new WebhookEndpoint { OrganizationId = organizationId, Url = "https://hooks.example.com/multiline", Events = events, IsActive = active, ProtectedSecret = "protected" };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(Ct);
        return endpoint.Id;
    }

    [Fact]
    public async Task FinishedBatchWritesOneDeliveryPerSubscribedEndpointOfItsOrganizationOrAnAncestor()
    {
        using var world = new ImportWorld();
        int acme, root;
        await using (var db = world.Database.CreateDbContext())
        {
            acme = await AddEndpointAsync(db, world.Acme.Id, WebhookEventTypes.BatchCompleted);
            root = await AddEndpointAsync(db, world.Root.Id, WebhookEventTypes.BatchCompleted | WebhookEventTypes.AccountActivated);
            await AddEndpointAsync(db, world.Acme.Id, WebhookEventTypes.AccountActivated);
            await AddEndpointAsync(db, world.Acme.Id, WebhookEventTypes.BatchCompleted, active: false);
            await AddEndpointAsync(db, world.Other.Id, WebhookEventTypes.BatchCompleted);
        }
        await using var host = await BatchHost.StartAsync(world.Database);

        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(CsvFiles.Lines([CsvFiles.Header, CsvFiles.Row("ava@acme.example"), CsvFiles.Row("bob@acme.example")]), world.Target()));

        await using var check = world.Database.CreateDbContext();
        var deliveries = await check.WebhookDeliveries.OrderBy(d => d.EndpointId).ToListAsync(Ct);
        Assert.Equal([acme, root], deliveries.Select(d => d.EndpointId).Order());
        Assert.All(deliveries, d => Assert.Equal((WebhookEvents.BatchCompleted, WebhookDeliveryState.Pending), (d.EventType, d.State)));
        Assert.Single(deliveries.Select(d => d.EventId).Distinct());
        using var json = JsonDocument.Parse(deliveries[0].Payload);
        var data = json.RootElement.GetProperty("data").GetProperty("batch");
        Assert.Equal(batch.Id, data.GetProperty("id").GetInt32());
        Assert.Equal("Import", data.GetProperty("kind").GetString());
        Assert.Equal("Completed", data.GetProperty("state").GetString());
        Assert.Equal(2, data.GetProperty("counts").GetProperty("succeeded").GetInt32());
        Assert.EndsWith($"/reports/{batch.Id}", data.GetProperty("reportUrl").GetString());
        Assert.Equal(world.Acme.Name, json.RootElement.GetProperty("organization").GetProperty("name").GetString());
        Assert.Equal(deliveries[0].CreatedAtUtc, batch.FinishedAtUtc);
    }

    [Fact]
    public async Task FinishedUndoOfAnImportWritesBatchCompletedForTheUndoBatch()
    {
        using var world = new ImportWorld();
        int acme;
        await using (var db = world.Database.CreateDbContext())
            acme = await AddEndpointAsync(db, world.Acme.Id, WebhookEventTypes.BatchCompleted);
        await using var host = await BatchHost.StartAsync(world.Database);
        var import = await host.WaitUntilFinishedAsync(await host.ImportAsync(CsvFiles.Lines([CsvFiles.Header, CsvFiles.Row("ava@acme.example"), CsvFiles.Row("bob@acme.example")]), world.Target()));

        SubmitResult submitted;
        await using (var db = world.Database.CreateDbContext())
            submitted = await host.Services.GetRequiredService<ImportUndo>().SubmitAsync(db.WithScope(world.AcmeAdmin), import.Id, TestActors.Admin, Ct);
        Assert.True(submitted.Succeeded, submitted.Error);
        var undo = await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);

        await using var check = world.Database.CreateDbContext();
        var deliveries = await check.WebhookDeliveries.OrderBy(d => d.Id).ToListAsync(Ct);
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal((WebhookEvents.BatchCompleted, acme), (d.EventType, d.EndpointId)));
        using var json = JsonDocument.Parse(deliveries[1].Payload);
        var data = json.RootElement.GetProperty("data").GetProperty("batch");
        Assert.Equal((undo.Id, "UndoImport", "Completed", 2), (data.GetProperty("id").GetInt32(), data.GetProperty("kind").GetString(),
            data.GetProperty("state").GetString(), data.GetProperty("counts").GetProperty("succeeded").GetInt32()));
        Assert.EndsWith($"/reports/{undo.Id}", data.GetProperty("reportUrl").GetString());
    }

    [Fact]
    public async Task ActivationWritesAccountActivatedWithTheAccountAndItsNumber()
    {
        using var world = new InvitationWorld(availableNumbers: 3);
        await using (var db = world.Db())
        {
            await AddEndpointAsync(db, world.OrganizationId, WebhookEventTypes.AccountActivated);
            await AddEndpointAsync(db, world.OrganizationId, WebhookEventTypes.InvitationFailed);
        }
        var account = await world.AddAccountAsync("ava@acme.example", withNumber: true);
        var token = InvitationWorld.TokenOf(await world.InviteAsync(account.Id));

        Assert.True((await world.Activation.ActivateAsync(token, null, Ct)).Succeeded);
        Assert.False((await world.Activation.ActivateAsync(token, null, Ct)).Succeeded);

        await using var check = world.Db();
        var delivery = Assert.Single(await check.WebhookDeliveries.ToListAsync(Ct));
        Assert.Equal(WebhookEvents.AccountActivated, delivery.EventType);
        using var json = JsonDocument.Parse(delivery.Payload);
        var data = json.RootElement.GetProperty("data").GetProperty("account");
        Assert.Equal((account.Id, "ava@acme.example", "+12125550000"), (data.GetProperty("id").GetInt32(), data.GetProperty("username").GetString(), data.GetProperty("number").GetString()));
    }

    [Fact]
    public async Task RefusedInvitationWritesInvitationFailedWithTheReason()
    {
        using var world = new InvitationWorld();
        await using (var db = world.Db())
            await AddEndpointAsync(db, world.OrganizationId, WebhookEventTypes.InvitationFailed);
        await using var smtp = await TestSmtpServer.StartAsync(acceptRecipient: address => !address.StartsWith("nobody@"));
        world.Smtp.Port = smtp.Port;
        var refused = await world.AddAccountAsync("nobody@acme.example", withNumber: true);
        var fine = await world.AddAccountAsync("ava@acme.example", withNumber: true);
        await world.InviteAsync(refused.Id);
        await world.InviteAsync(fine.Id);

        await world.Sender.DeliverDueAsync(Ct);

        await using var check = world.Db();
        var delivery = Assert.Single(await check.WebhookDeliveries.ToListAsync(Ct));
        Assert.Equal(WebhookEvents.InvitationFailed, delivery.EventType);
        using var json = JsonDocument.Parse(delivery.Payload);
        var data = json.RootElement.GetProperty("data").GetProperty("invitation");
        Assert.Equal((refused.Id, "nobody@acme.example"), (data.GetProperty("accountId").GetInt32(), data.GetProperty("username").GetString()));
        Assert.StartsWith("The mail server refused it: 550", data.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task InvitationRefusedByARuleWritesInvitationFailedWithTheReasonInTheSameSave()
    {
        using var world = new InvitationWorld(10, "acme.example");
        await using (var db = world.Db())
            await AddEndpointAsync(db, world.OrganizationId, WebhookEventTypes.InvitationFailed);
        var outsider = await world.AddAccountAsync("ava@elsewhere.example", withNumber: true);

        var outcome = await world.InviteAsync(outsider.Id);

        Assert.Equal(InvitationOutcomeKind.Failed, outcome.Kind);
        var account = await world.ReloadAsync(outsider.Id);
        Assert.Equal((AccountStatus.InvitationFailed, outcome.Reason), (account.Status, account.InvitationError));
        await using var check = world.Db();
        var delivery = Assert.Single(await check.WebhookDeliveries.ToListAsync(Ct));
        Assert.Equal(WebhookEvents.InvitationFailed, delivery.EventType);
        using var json = JsonDocument.Parse(delivery.Payload);
        var data = json.RootElement.GetProperty("data").GetProperty("invitation");
        Assert.Equal((outsider.Id, "ava@elsewhere.example", outcome.Reason),
            (data.GetProperty("accountId").GetInt32(), data.GetProperty("username").GetString(), data.GetProperty("reason").GetString()));
        Assert.Contains("acme.example", outcome.Reason);
    }

    [Fact]
    public async Task InvitationRefusedForWantOfANumberWritesInvitationFailedWithTheCallersSave()
    {
        using var world = new InvitationWorld(availableNumbers: 0);
        await using (var db = world.Db())
            await AddEndpointAsync(db, world.OrganizationId, WebhookEventTypes.InvitationFailed);
        var waiting = await world.AddAccountAsync("ava@acme.example");

        await using (var db = world.Db())
        {
            var account = await db.Accounts.SingleAsync(a => a.Id == waiting.Id, Ct);
            var outcome = await world.Issuer.QueueAsync(db, account, Ct);
            Assert.Equal(InvitationOutcomeKind.Failed, outcome.Kind);
            // Nothing is written before the caller saves: the event belongs to the caller's unit of work.
            await using (var before = world.Db())
                Assert.Empty(await before.WebhookDeliveries.ToListAsync(Ct));
            await db.SaveChangesAsync(Ct);
        }

        await using var check = world.Db();
        var delivery = Assert.Single(await check.WebhookDeliveries.ToListAsync(Ct));
        using var json = JsonDocument.Parse(delivery.Payload);
        Assert.Equal((await world.ReloadAsync(waiting.Id)).InvitationError, json.RootElement.GetProperty("data").GetProperty("invitation").GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("http://hooks.example.com/x", WebhookAddresses.HttpsOnlyMessage)]
    [InlineData("", WebhookAddresses.MissingMessage)]
    [InlineData("hooks.example.com", "\"hooks.example.com\" is not a web address. Enter one such as https://hooks.example.com/multiline.")]
    [InlineData("https://127.0.0.1:8443/x", "127.0.0.1 is a local or private network address. The portal only calls public addresses.")]
    [InlineData("https://10.1.2.3/x", "10.1.2.3 is a local or private network address. The portal only calls public addresses.")]
    [InlineData("https://169.254.169.254/latest", "169.254.169.254 is a local or private network address. The portal only calls public addresses.")]
    [InlineData("https://localhost/x", "localhost is a local or private network address. The portal only calls public addresses.")]
    [InlineData("https://[::1]/x", "[::1] is a local or private network address. The portal only calls public addresses.")]
    [InlineData("https://hooks.example.com/multiline", null)]
    [InlineData("https://93.184.216.34/x", null)]
    public void EndpointAddressMustBeHttpsAndPublic(string url, string? refusal) =>
        Assert.Equal(refusal, WebhookAddresses.Refusal(url, allowPrivate: false));

    [Fact]
    public void PrivateAddressesAreAllowedWhenTheSettingSaysSo() =>
        Assert.Null(WebhookAddresses.Refusal("https://127.0.0.1:8443/x", allowPrivate: true));
}
