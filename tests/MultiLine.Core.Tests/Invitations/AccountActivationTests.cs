using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;

namespace MultiLine.Core.Tests.Invitations;

public sealed class AccountActivationTests : IDisposable
{
    private readonly InvitationWorld _world = new(availableNumbers: 8);

    private async Task<string> InvitedTokenAsync(string username, bool withNumber = false)
    {
        var account = await _world.AddAccountAsync(username, withNumber: withNumber);
        return InvitationWorld.TokenOf(await _world.InviteAsync(account.Id));
    }

    [Fact]
    public async Task AccountWithoutNumberPicksOneOfFiveAvailableNumbersAndBecomesActive()
    {
        var token = await InvitedTokenAsync("ava@acme.example");

        var offer = await _world.Activation.OpenAsync(token, TestContext.Current.CancellationToken);
        Assert.Equal(ActivationState.Ready, offer.State);
        Assert.Equal("Ava Rossi", offer.Name);
        Assert.Equal(5, offer.Choices.Count);
        var picked = offer.Choices[2];

        var result = await _world.Activation.ActivateAsync(token, picked.Id, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal(picked.E164, result.Number);
        await using var db = _world.Db();
        var account = await db.Accounts.Include(a => a.Number).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(AccountStatus.Active, account.Status);
        Assert.Equal(picked.E164, account.Number!.E164);
        Assert.Equal(NumberState.Registered, account.Number.State);
    }

    [Fact]
    public async Task AccountHoldingANumberActivatesWithItAndTheNumberBecomesRegistered()
    {
        var token = await InvitedTokenAsync("ava@acme.example", withNumber: true);
        var offer = await _world.Activation.OpenAsync(token, TestContext.Current.CancellationToken);
        Assert.Equal("+12125550000", offer.Number);
        Assert.Empty(offer.Choices);

        var result = await _world.Activation.ActivateAsync(token, null, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        await using var db = _world.Db();
        Assert.Equal(NumberState.Registered, (await db.Numbers.SingleAsync(n => n.E164 == "+12125550000", TestContext.Current.CancellationToken)).State);
    }

    [Fact]
    public async Task UsedLinkCannotActivateAgain()
    {
        var token = await InvitedTokenAsync("ava@acme.example", withNumber: true);
        Assert.True((await _world.Activation.ActivateAsync(token, null, TestContext.Current.CancellationToken)).Succeeded);

        var again = await _world.Activation.ActivateAsync(token, null, TestContext.Current.CancellationToken);

        Assert.False(again.Succeeded);
        Assert.StartsWith("This invitation has already been used", again.Message);
        Assert.Equal(ActivationState.AlreadyUsed, (await _world.Activation.OpenAsync(token, TestContext.Current.CancellationToken)).State);
    }

    [Fact]
    public async Task ExpiredLinkIsRefusedAndSaysWhenItExpired()
    {
        var token = await InvitedTokenAsync("ava@acme.example", withNumber: true);
        _world.Clock.Now = _world.Clock.Now.AddDays(14).AddMinutes(1);

        var result = await _world.Activation.ActivateAsync(token, null, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal("This invitation expired on 8 December 2026. Ask your administrator to send you a new one.", result.Message);
        Assert.Equal(AccountStatus.Invited, (await _world.Db().Accounts.SingleAsync(TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task UnknownTokenIsNotFound()
    {
        var offer = await _world.Activation.OpenAsync(ActivationTokens.NewToken(), TestContext.Current.CancellationToken);

        Assert.Equal(ActivationState.NotFound, offer.State);
        Assert.Equal(AccountActivation.NotFoundMessage, offer.Message);
    }

    [Fact]
    public async Task TwoPeopleRacingForTheSameNumberCannotBothGetIt()
    {
        var first = await InvitedTokenAsync("a@acme.example");
        var second = await InvitedTokenAsync("b@acme.example");
        var number = (await _world.Activation.OpenAsync(first, TestContext.Current.CancellationToken)).Choices[0];

        var results = await Task.WhenAll(
            Task.Run(() => _world.Activation.ActivateAsync(first, number.Id, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken),
            Task.Run(() => _world.Activation.ActivateAsync(second, number.Id, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken));

        Assert.Single(results, r => r.Succeeded);
        var loser = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal($"The number {number.E164} was just taken by someone else. Please pick another number.", loser.Message);
        Assert.DoesNotContain(loser.Offer!.Choices, c => c.Id == number.Id);
        Assert.Equal(ActivationState.Ready, loser.Offer.State);
        await using var db = _world.Db();
        Assert.Equal(1, await db.Accounts.CountAsync(a => a.Status == AccountStatus.Active, TestContext.Current.CancellationToken));
        Assert.Equal(1, await db.Numbers.CountAsync(n => n.State == NumberState.Registered, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task LoserOfTheRaceCanStillActivateWithAnotherNumber()
    {
        var first = await InvitedTokenAsync("a@acme.example");
        var second = await InvitedTokenAsync("b@acme.example");
        var number = (await _world.Activation.OpenAsync(first, TestContext.Current.CancellationToken)).Choices[0];
        await _world.Activation.ActivateAsync(first, number.Id, TestContext.Current.CancellationToken);
        var lost = await _world.Activation.ActivateAsync(second, number.Id, TestContext.Current.CancellationToken);

        var retry = await _world.Activation.ActivateAsync(second, lost.Offer!.Choices[0].Id, TestContext.Current.CancellationToken);

        Assert.True(retry.Succeeded);
    }

    public void Dispose() => _world.Dispose();
}
