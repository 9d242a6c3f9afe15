using MultiLine.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Accounts;

/// <summary>The Single Account form's rule set: the CSV's validator, plus handing out a Reserved number.</summary>
public sealed class SingleAccountCreationTests : IDisposable
{
    private readonly ImportWorld _world = new();

    private static AccountInput Input(string username, string? number = null) => new()
    {
        Username = username, SocialMessaging = "No", MonitorCalls = "auto", MonitorSms = "on", MultiLineNumber = number, Language = "English",
    };

    private async Task<SingleAccountResult> CreateAsync(BatchHost host, AccountInput input, bool invite = false)
    {
        var creation = new SingleAccountCreation(new AccountInputValidator(), host.Services.GetRequiredService<InvitationIssuer>(), _world.Database.System, TimeProvider.System);
        await using var db = _world.Database.CreateDbContext();
        return await creation.CreateAsync(db.WithScope(_world.AcmeAdmin), new SingleAccountRequest(input, _world.Acme.Id, _world.MessagingOnly.Id, invite), TestActors.Admin, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AUsernameSavedByAnotherAdminMeanwhileIsAFieldErrorNotAnErrorPage()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var racer = new InsertAfterUsernameLookup("twin@acme.example", _world.Acme.Id, _world.Standard.Id);
        var creation = new SingleAccountCreation(new AccountInputValidator(), host.Services.GetRequiredService<InvitationIssuer>(), racer.Around(_world.Database), TimeProvider.System);
        await using var db = _world.Database.CreateDbContext();

        var result = await creation.CreateAsync(db.WithScope(_world.AcmeAdmin),
            new SingleAccountRequest(Input("Twin@acme.example"), _world.Acme.Id, _world.MessagingOnly.Id, Invite: true), TestActors.Admin, TestContext.Current.CancellationToken);

        Assert.True(racer.Inserted);
        Assert.False(result.Succeeded);
        Assert.Equal(("email address or device", "\"Twin@acme.example\" is already in use by another account."),
            (Assert.Single(result.Problems).Column, result.Problems[0].Message));
    }

    [Fact]
    public async Task AnAdminMayHandOutAReservedNumber()
    {
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Reserved, tag: "PORTED");
        await using var host = await BatchHost.StartAsync(_world.Database);

        var result = await CreateAsync(host, Input("jane@acme.example", "+1 212 555 0100"), invite: true);

        Assert.True(result.Succeeded, string.Join(" ", result.Problems.Select(p => p.Text)));
        Assert.Equal("The invitation is on its way.", result.Note);
        await using var db = _world.Database.CreateDbContext();
        var number = await db.Numbers.SingleAsync(n => n.E164 == "+12125550100", TestContext.Current.CancellationToken);
        Assert.Equal((NumberState.Assigned, result.AccountId, (string?)null), (number.State, number.AccountId, number.ReservationTag));
    }

    [Fact]
    public async Task AnAdminMayAskForAnyReservedNumberWithATag()
    {
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Reserved, tag: "PORTED");
        await using var host = await BatchHost.StartAsync(_world.Database);

        var first = await CreateAsync(host, Input("jane@acme.example", "tag:ported"), invite: false);
        var second = await CreateAsync(host, Input("john@acme.example", "tag:PORTED"), invite: false);

        Assert.True(first.Succeeded, string.Join(" ", first.Problems.Select(p => p.Text)));
        Assert.Equal("multiline_number: No Reserved number with tag PORTED is left for Acme.", Assert.Single(second.Problems).Text);
        await using var db = _world.Database.CreateDbContext();
        var number = await db.Numbers.SingleAsync(n => n.E164 == "+12125550100", TestContext.Current.CancellationToken);
        Assert.Equal((NumberState.Assigned, first.AccountId, (string?)null), (number.State, number.AccountId, number.ReservationTag));
        Assert.False(await db.Accounts.AnyAsync(a => a.Username == "john@acme.example", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TwoAdminsRacingForOneNumberNeverBothGetIt()
    {
        _world.AddNumber(_world.Acme, "+12125550101");
        await using var host = await BatchHost.StartAsync(_world.Database);

        var results = await Task.WhenAll(
            CreateAsync(host, Input("first@acme.example", "+12125550101")),
            CreateAsync(host, Input("second@acme.example", "+12125550101")));

        Assert.Single(results, r => r.Succeeded);
        var loser = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal("+12125550101 is not an available or reserved number of Acme.", Assert.Single(loser.Problems).Message);
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(1, await db.Accounts.CountAsync(a => a.Username.EndsWith("@acme.example"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnExistingUsernameIsNamedWithItsOrganizationInsideTheScope()
    {
        _world.AddAccount(_world.Team, "taken@acme.example");
        await using var host = await BatchHost.StartAsync(_world.Database);

        var result = await CreateAsync(host, Input("Taken@Acme.example"));

        Assert.Equal("\"Taken@Acme.example\" already exists in organization Team.", Assert.Single(result.Problems).Message);
    }

    public void Dispose() => _world.Dispose();
}
