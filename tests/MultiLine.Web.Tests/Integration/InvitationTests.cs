using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>The invitation pieces inside the real app, with its embedded default: no SMTP host, .eml files in the pickup folder.</summary>
[Collection(InvitationsCollection.Name)]
public sealed class InvitationTests(PortalFixture portal)
{
    private HttpClient NewClient() => portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task<(Account Account, InvitationOutcome Outcome)> InviteSomeoneAsync()
    {
        await using var db = portal.Factory.CreateDbContext();
        var account = await db.Accounts
            .Where(a => AccountStatuses.Pending.Contains(a.Status) && a.Organization!.Name == "Acme Corp" && a.NormalizedUsername.Contains("@") && a.Number != null)
            .OrderBy(a => a.Id)
            .FirstAsync(TestContext.Current.CancellationToken);
        var outcome = await portal.Factory.Services.GetRequiredService<InvitationIssuer>().QueueAsync(db, account, TestContext.Current.CancellationToken);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        Assert.True(outcome.Succeeded, outcome.Reason);
        return (account, outcome);
    }

    [Fact]
    public async Task ActivationPageOpensWithoutSignInAndShowsTheAccount()
    {
        var (account, outcome) = await InviteSomeoneAsync();

        var response = await NewClient().GetAsync(new Uri(outcome.ActivationLink!).PathAndQuery, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Activate your account", html);
        Assert.Contains(account.Username, html);
    }

    [Fact]
    public async Task UnknownActivationLinkSaysItIsNotValid()
    {
        var html = await NewClient().GetStringAsync($"/activate/{ActivationTokens.NewToken()}", TestContext.Current.CancellationToken);

        Assert.Contains("This activation link is not valid.", html);
    }

    [Fact]
    public async Task WithoutAnSmtpHostEmailsAreSavedAsEmlFilesNextToTheDatabase()
    {
        var (_, outcome) = await InviteSomeoneAsync();

        await portal.Factory.Services.GetRequiredService<OutboxSender>().DeliverDueAsync(TestContext.Current.CancellationToken);

        await using var db = portal.Factory.CreateDbContext();
        var message = await db.EmailMessages.SingleAsync(m => m.Id == outcome.Invitation!.EmailMessageId, TestContext.Current.CancellationToken);
        Assert.Equal(EmailState.Sent, message.State);
        var file = Path.Combine(portal.Factory.Folder, "outbox", message.PickupFile!);
        Assert.Contains(outcome.ActivationLink!, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OutboxPageSaysNoMailServerIsConfiguredAndEmailsDownloadAsEml()
    {
        var (_, outcome) = await InviteSomeoneAsync();
        var client = NewClient();
        var anonymous = await client.GetAsync($"/outbox/{outcome.Invitation!.EmailMessageId}.eml", TestContext.Current.CancellationToken);
        await PortalClient.SignInAsync(client, PortalFactory.AdminEmail);

        var page = await client.GetStringAsync("/outbox", TestContext.Current.CancellationToken);
        var eml = await client.GetAsync($"/outbox/{outcome.Invitation!.EmailMessageId}.eml", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("No mail server is configured, so no email leaves this server.", page);
        Assert.Equal(HttpStatusCode.OK, eml.StatusCode);
        Assert.Equal("message/rfc822", eml.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Subject: Your MultiLine business number is ready", await eml.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReportsOnlyAdminCannotOpenTheOutbox()
    {
        var client = NewClient();
        await PortalClient.SignInAsync(client, Core.Demo.DemoDataSeeder.ReportsAdminEmail);

        var response = await client.GetAsync("/outbox", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/access-denied", response.Headers.Location!.PathAndQuery);
    }
}
