using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Invitations;

/// <summary>The utilization alert reaches the designated admins over SMTP, once per crossing, timed by the clock it is given.</summary>
public sealed class UtilizationAlertDeliveryTests : IDisposable
{
    private readonly InvitationWorld _world = new(availableNumbers: 10);

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task TheAlertIsDeliveredToEachDesignatedAdminOnceAndAgainAfterItDroppedBelow()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var smtp = await TestSmtpServer.StartAsync();
        _world.Smtp.Port = smtp.Port;
        await using (var db = _world.Db())
        {
            var role = new Core.Admins.Role { Name = "Org", Privileges = Core.Admins.Privileges.All };
            var admin = new Core.Admins.Admin { Email = "lead@acme.example", NormalizedEmail = "LEAD@ACME.EXAMPLE", DisplayName = "Lead", Role = role };
            db.Admins.Add(admin);
            await db.SaveChangesAsync(ct);
            db.DesignatedAdmins.Add(new DesignatedAdmin { OrganizationId = _world.OrganizationId, AdminId = admin.Id });
            (await db.Organizations.SingleAsync(o => o.Id == _world.OrganizationId, ct)).UtilizationThresholdPercent = 80;
            await db.SaveChangesAsync(ct);
        }
        var alerts = new NumberUtilizationAlerts(_world.Database.System, _world.Notifications, new ConfiguredPortalLinks(Microsoft.Extensions.Options.Options.Create(_world.Invitation)), _world.Clock);
        async Task SetAvailableAsync(int available)
        {
            await using var db = _world.Db();
            var ids = await db.Numbers.OrderBy(n => n.E164).Select(n => n.Id).ToListAsync(ct);
            await db.Numbers.Where(n => ids.Take(available).Contains(n.Id)).ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Available).SetProperty(n => n.ReservationTag, (string?)null), ct);
            await db.Numbers.Where(n => ids.Skip(available).Contains(n.Id)).ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Reserved).SetProperty(n => n.ReservationTag, "HOLD"), ct);
        }

        await SetAvailableAsync(2);                                    // 80 % in use: crossed
        var first = await alerts.CheckAllAsync(ct);
        _world.Clock.Advance(TimeSpan.FromMinutes(1));
        var stillAbove = await alerts.CheckAllAsync(ct);
        await SetAvailableAsync(5);                                    // 50 %: armed again
        await alerts.CheckAllAsync(ct);
        await SetAvailableAsync(1);                                    // 90 %: crossed again
        _world.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await alerts.CheckAllAsync(ct);
        await _world.Sender.DeliverDueAsync(ct);

        Assert.Equal((1, 0, 1), (first, stillAbove, again));
        Assert.Equal(["lead@acme.example", "lead@acme.example"], smtp.Messages.Select(m => m.To.Mailboxes.Single().Address));
        Assert.Equal(["Acme is running out of MultiLine numbers: 80 % in use", "Acme is running out of MultiLine numbers: 90 % in use"],
            smtp.Messages.Select(m => m.Subject).Order());
        Assert.Contains("Alert threshold: 80 %", smtp.Messages.First().TextBody);
        Assert.Contains("https://portal.test/numbers/utilization", smtp.Messages.First().TextBody);
        await using var check = _world.Db();
        Assert.Equal(_world.Clock.Now.UtcDateTime, await check.Organizations.Where(o => o.Id == _world.OrganizationId).Select(o => o.UtilizationAlertSentAtUtc).SingleAsync(ct));
    }
}
