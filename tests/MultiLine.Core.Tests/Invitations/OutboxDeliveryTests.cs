using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Organizations;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Invitations;

/// <summary>Delivery to a real SMTP server on 127.0.0.1: content, refusals, outages and recovery.</summary>
public sealed class OutboxDeliveryTests : IDisposable
{
    private readonly InvitationWorld _world = new(availableNumbers: 10);

    public static TheoryData<Language, string, string> Languages => new()
    {
        { Language.English, "Your MultiLine business number is ready, Zoë", "Activate your account with this link:" },
        { Language.Italian, "Zoë, il tuo numero aziendale MultiLine è pronto", "Attiva il tuo account con questo link:" },
        { Language.German, "Zoë, Ihre geschäftliche MultiLine-Nummer ist bereit", "Aktivieren Sie Ihr Konto mit diesem Link:" },
        { Language.French, "Zoë, votre numéro professionnel MultiLine est prêt", "Activez votre compte avec ce lien :" },
        { Language.Spanish, "Zoë, tu número de empresa MultiLine está listo", "Activa tu cuenta con este enlace:" },
    };

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task InvitationArrivesInTheAccountsLanguageWithEveryPlaceholderFilled(Language language, string subject, string action)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        _world.Smtp.Port = smtp.Port;
        var account = await _world.AddAccountAsync("zoe@acme.example", language, withNumber: true, first: "Zoë", last: "O'Brien & <Co>");
        var outcome = await _world.InviteAsync(account.Id);

        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);

        var message = Assert.Single(smtp.Messages);
        Assert.Equal(subject, message.Subject);
        Assert.Equal("zoe@acme.example", message.To.Mailboxes.Single().Address);
        Assert.Contains(action, message.TextBody);
        Assert.Contains("zoe@acme.example", message.TextBody);
        Assert.Contains("+12125550000", message.TextBody);
        Assert.Contains("Zoë O'Brien & <Co>", message.TextBody);
        Assert.Contains(outcome.ActivationLink!, message.TextBody);
        Assert.Contains($"href=\"{outcome.ActivationLink}\"", message.HtmlBody);
        Assert.Contains("O&#39;Brien &amp; &lt;Co&gt;", message.HtmlBody);
        Assert.DoesNotContain("<Co>", message.HtmlBody);
        Assert.DoesNotContain("{", message.TextBody);
        await using var db = _world.Db();
        Assert.Equal(EmailState.Sent, (await db.EmailMessages.SingleAsync(TestContext.Current.CancellationToken)).State);
    }

    [Fact]
    public async Task OrganizationsOwnTemplateIsUsedForThatLanguageOnly()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        _world.Smtp.Port = smtp.Port;
        await using (var db = _world.Db())
        {
            var saved = await InvitationTemplates.SaveAsync(db, _world.OrganizationId, Language.German,
                new TemplateContent("Hallo {f_name}", "<p>Servus {f_name}: <a href=\"{activation_link}\">los</a></p>", "Servus {f_name}: {activation_link}"),
                new SettingsActor(null, "Test"), _world.Clock.Now.UtcDateTime, TestContext.Current.CancellationToken);
            Assert.True(saved.Succeeded);
        }
        var german = await _world.AddAccountAsync("hans@acme.example", Language.German, withNumber: true, first: "Hans");
        var english = await _world.AddAccountAsync("ann@acme.example", Language.English, withNumber: true, first: "Ann");
        await _world.InviteAsync(german.Id);
        await _world.InviteAsync(english.Id);

        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);

        Assert.Equal("Hallo Hans", smtp.Messages.Single(m => m.To.Mailboxes.Single().Address == "hans@acme.example").Subject);
        Assert.Equal("Your MultiLine business number is ready, Ann", smtp.Messages.Single(m => m.To.Mailboxes.Single().Address == "ann@acme.example").Subject);
    }

    [Fact]
    public async Task RefusedRecipientIsMarkedFailedWithTheSmtpReplyAndTheAccountShowsInvitationFailed()
    {
        await using var smtp = await TestSmtpServer.StartAsync(acceptRecipient: address => !address.StartsWith("nobody@"));
        _world.Smtp.Port = smtp.Port;
        var refused = await _world.AddAccountAsync("nobody@acme.example", withNumber: true);
        var fine = await _world.AddAccountAsync("ava@acme.example", withNumber: true);
        await _world.InviteAsync(refused.Id);
        await _world.InviteAsync(fine.Id);

        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);

        await using var db = _world.Db();
        var failed = await db.EmailMessages.SingleAsync(m => m.AccountId == refused.Id, TestContext.Current.CancellationToken);
        Assert.Equal(EmailState.Failed, failed.State);
        Assert.Equal(1, failed.Attempts);
        Assert.StartsWith("The mail server refused it: 550", failed.LastError);
        var account = await _world.ReloadAsync(refused.Id);
        Assert.Equal(AccountStatus.InvitationFailed, account.Status);
        Assert.Equal(failed.LastError, account.InvitationError);
        Assert.Equal(AccountStatus.Invited, (await _world.ReloadAsync(fine.Id)).Status);
        Assert.Equal("ava@acme.example", Assert.Single(smtp.Messages).To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task GreylistedRecipientsGetTheirOwnLaterAttemptWithoutHoldingUpTheOthers()
    {
        var greylisting = true;
        await using var smtp = await TestSmtpServer.StartAsync(deferRecipient: address => greylisting && address.StartsWith("grey"));
        _world.Smtp.Port = smtp.Port;
        _world.Smtp.RetryDelay = TimeSpan.FromSeconds(1);
        _world.Smtp.RequeueDelay = TimeSpan.FromMinutes(1);
        var recipients = Enumerable.Range(0, 55).Select(i => i % 11 == 5 ? $"grey{i}@acme.example" : $"user{i}@acme.example").ToList();
        var greylisted = recipients.Where(r => r.StartsWith("grey")).ToList();
        await _world.InviteNewAccountsAsync(recipients);

        var run = Stopwatch.StartNew();
        Assert.Equal(55, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));
        run.Stop();

        Assert.Equal(recipients.Except(greylisted).Order(), smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).Order());
        // Asked once each, not retried within the run (which waited seconds per recipient); the bound is only a sanity check.
        Assert.Equal(greylisted.Order(), smtp.Deferred.Order());
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(10), $"The run took {run.Elapsed}.");
        await using (var db = _world.Db())
        {
            var waiting = await db.EmailMessages.Where(m => m.State == EmailState.Queued).ToListAsync(TestContext.Current.CancellationToken);
            Assert.Equal(greylisted.Order(), waiting.Select(m => m.ToAddress).Order());
            Assert.All(waiting, m =>
            {
                Assert.Equal(1, m.Attempts);
                Assert.Equal(_world.Clock.Now.UtcDateTime.AddMinutes(1), m.NextAttemptAtUtc);
                Assert.StartsWith("The mail server deferred it: 450", m.LastError);
                Assert.Null(m.ClaimedBy);
            });
        }
        Assert.Equal(0, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        greylisting = false;
        _world.Clock.Now += TimeSpan.FromMinutes(1);
        Assert.Equal(5, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        Assert.Equal(recipients.Order(), smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).Order());
    }

    [Fact]
    public async Task ServerThatStaysDownIsRetriedWithBackoffThenTheInvitationFails()
    {
        _world.Smtp.Port = TestSmtpServer.FreePort();
        var account = await _world.AddAccountAsync("ava@acme.example", withNumber: true);
        await _world.InviteAsync(account.Id);

        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);
        await using (var db = _world.Db())
        {
            var waiting = await db.EmailMessages.SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal(EmailState.Queued, waiting.State);
            Assert.Equal(1, waiting.Attempts);
            Assert.StartsWith("Could not reach the mail server 127.0.0.1:", waiting.LastError);
            Assert.Equal(AccountStatus.Invited, (await _world.ReloadAsync(account.Id)).Status);
        }
        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);
        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);

        await using var after = _world.Db();
        var message = await after.EmailMessages.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(EmailState.Failed, message.State);
        Assert.Equal(3, message.Attempts);
        Assert.StartsWith("Not delivered after 3 attempts. Could not reach the mail server", message.LastError);
        Assert.Equal(AccountStatus.InvitationFailed, (await _world.ReloadAsync(account.Id)).Status);
    }

    [Fact]
    public async Task MessagesWaitingForADownServerAreDeliveredOnceItComesBack()
    {
        var port = TestSmtpServer.FreePort();
        _world.Smtp.Port = port;
        var first = await _world.AddAccountAsync("a@acme.example", withNumber: true);
        var second = await _world.AddAccountAsync("b@acme.example", withNumber: true);
        await _world.InviteAsync(first.Id);
        await _world.InviteAsync(second.Id);
        Assert.Equal(2, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        await using var smtp = await TestSmtpServer.StartAsync(port);
        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, smtp.Messages.Count);
        await using var db = _world.Db();
        Assert.All(await db.EmailMessages.ToListAsync(TestContext.Current.CancellationToken), m =>
        {
            Assert.Equal(EmailState.Sent, m.State);
            Assert.Equal(2, m.Attempts);
        });
    }

    [Fact]
    public async Task BatchNotificationReachesEachDesignatedAdminWithTheReportAttached()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        _world.Smtp.Port = smtp.Port;
        var csv = "\uFEFFrow,outcome\n1,Succeeded\n"u8.ToArray();
        await using (var db = _world.Db())
        {
            var role = new Core.Admins.Role { Name = "Org", Privileges = Core.Admins.Privileges.All };
            var admins = new[] { "lead@acme.example", "ops@acme.example" }.Select(e => new Core.Admins.Admin { Email = e, NormalizedEmail = e.ToUpperInvariant(), DisplayName = e, Role = role }).ToList();
            db.Admins.AddRange(admins);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            db.DesignatedAdmins.AddRange(admins.Select(a => new DesignatedAdmin { OrganizationId = _world.OrganizationId, AdminId = a.Id }));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);

            var outcome = await _world.Notifications.QueueBatchSummaryAsync(db, _world.OrganizationId,
                new BatchNotificationSummary("CSV import", "Acme", "Completed with errors", 998, 2, 0, "Demo Admin", _world.Clock.Now.UtcDateTime),
                SummaryReport.Attached(new NotificationAttachment("report.csv", "text/csv", csv)), TestContext.Current.CancellationToken);
            Assert.Equal(2, outcome.Recipients);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["lead@acme.example", "ops@acme.example"], smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).Order());
        var message = smtp.Messages.First();
        Assert.Equal("CSV import for Acme: Completed with errors", message.Subject);
        Assert.Contains("Failed: 2", message.TextBody);
        var attachment = Assert.IsAssignableFrom<MimePart>(Assert.Single(message.Attachments));
        Assert.Equal("report.csv", attachment.FileName);
        using var content = new MemoryStream();
        await attachment.Content!.DecodeToAsync(content, TestContext.Current.CancellationToken);
        Assert.Equal(csv, content.ToArray());
    }

    [Fact]
    public async Task WithoutAHostEmailsAreSavedAsEmlFilesInThePickupFolder()
    {
        _world.Smtp.Host = null;
        var account = await _world.AddAccountAsync("ava@acme.example", withNumber: true);
        var outcome = await _world.InviteAsync(account.Id);

        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);

        await using var db = _world.Db();
        var message = await db.EmailMessages.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(EmailState.Sent, message.State);
        var file = Path.Combine(_world.Pickup, message.PickupFile!);
        var saved = await MimeMessage.LoadAsync(file, TestContext.Current.CancellationToken);
        Assert.Contains(outcome.ActivationLink!, saved.TextBody);
        Assert.Equal("Saved as .eml", EmailStates.Label(message.State, savedToPickupFolder: true));
    }

    [Fact]
    public async Task EmailsWithdrawnWhileTheRunSendsAreNotSentAndStayWithdrawn()
    {
        var users = new[] { "ann@acme.example", "bob@acme.example", "cat@acme.example", "dan@acme.example" };
        var accounts = new List<Account>();
        foreach (var user in users)
            accounts.Add(await _world.AddAccountAsync(user, withNumber: true));
        foreach (var account in accounts)
            await _world.InviteAsync(account.Id);
        // While the server takes the run's first message (before it answers), ann, bob and cat are deleted as an undo of
        // their import deletes them: their emails are withdrawn after the run read all four. One connection, so the
        // order is fixed: ann is at the server, bob and cat are next.
        await using var smtp = await TestSmtpServer.StartAsync(received: async (_, count) =>
        {
            if (count != 1)
                return;
            await using var db = _world.Db();
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var account in accounts.Take(3))
                Assert.True((await AccountLifecycle.ApplyDeleteAsync(db, account.Id, new AccountDeletion(NumberDisposition.Release), TestActors.Admin, _world.Clock.Now.UtcDateTime)).Succeeded);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });
        _world.Smtp.Port = smtp.Port;
        _world.Smtp.Connections = 1;

        await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken);

        // ann's was already at the server; bob's and cat's never left.
        Assert.Equal(["ann@acme.example", "dan@acme.example"], smtp.Messages.Select(m => m.To.Mailboxes.Single().Address).Order());
        await using var check = _world.Db();
        var states = await check.EmailMessages.ToDictionaryAsync(m => m.ToAddress, m => m.State, TestContext.Current.CancellationToken);
        Assert.Equal(EmailState.Withdrawn, states["ann@acme.example"]);
        Assert.Equal(EmailState.Withdrawn, states["bob@acme.example"]);
        Assert.Equal(EmailState.Withdrawn, states["cat@acme.example"]);
        Assert.Equal(EmailState.Sent, states["dan@acme.example"]);
    }

    public void Dispose() => _world.Dispose();
}
