using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Invitations;

public sealed class TemplateAndSettingsTests : IDisposable
{
    private readonly InvitationWorld _world = new();
    private readonly SettingsActor _admin = new(null, "Dana Admin");

    [Fact]
    public void EveryBuiltInTemplateIsValidAndDiffersByLanguage()
    {
        var templates = Enum.GetValues<Language>().Select(InvitationTemplateDefaults.For).ToList();

        Assert.All(templates, t => Assert.Empty(InvitationTemplateRenderer.Validate(t)));
        Assert.Equal(5, templates.Select(t => t.Subject).Distinct().Count());
    }

    [Fact]
    public async Task TemplateWithoutActivationLinkIsRefused()
    {
        await using var db = _world.Db();

        var result = await InvitationTemplates.SaveAsync(db, _world.OrganizationId, Language.Italian,
            new TemplateContent("Ciao {f_name}", "<p>Ciao</p>", "Ciao {activation_link}"), _admin, _world.Clock.Now.UtcDateTime, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(["The HTML part must contain {activation_link}: without it the user cannot activate."], result.Problems);
        Assert.Equal(0, await db.InvitationTemplates.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void UnknownPlaceholderIsNamed()
    {
        var problems = InvitationTemplateRenderer.Validate(new TemplateContent("Hi {first_name}", "{activation_link}", "{activation_link}"));

        Assert.StartsWith("Unknown placeholder {first_name}.", Assert.Single(problems));
    }

    [Fact]
    public async Task SavedTemplateAndSettingChangesAreAuditedWithWhoWhenAndWhat()
    {
        await using (var db = _world.Db())
        {
            var template = InvitationTemplateDefaults.Spanish with { Subject = "Hola {f_name}" };
            Assert.True((await InvitationTemplates.SaveAsync(db, _world.OrganizationId, Language.Spanish, template, _admin, _world.Clock.Now.UtcDateTime, TestContext.Current.CancellationToken)).Succeeded);
            var form = new OrganizationSettingsForm(true, false, ["acme.example", "ACME.example", "sales.acme.example"], []);
            Assert.True((await OrganizationSettings.SaveAsync(db, _world.OrganizationId, form, _admin, _world.Clock.Now.UtcDateTime, TestContext.Current.CancellationToken)).Succeeded);
        }

        await using var read = _world.Db();
        var audit = await OrganizationSettings.AuditAsync(read, _world.OrganizationId, cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(audit, a => Assert.Equal("Dana Admin", a.AdminName));
        Assert.Contains(audit, a => a is { Setting: "Social messaging", OldValue: "Off", NewValue: "On" });
        Assert.Contains(audit, a => a is { Setting: "Allowed email domains", OldValue: "any domain", NewValue: "acme.example, sales.acme.example" });
        Assert.Contains(audit, a => a.Setting == "Invitation template (Spanish)" && a.NewValue!.Contains("changed subject"));
        Assert.DoesNotContain(audit, a => a.Setting == "SMTP data offload");
        Assert.Equal(["acme.example", "sales.acme.example"], (await read.Organizations.SingleAsync(TestContext.Current.CancellationToken)).AllowedEmailDomains);
    }

    [Fact]
    public async Task SmtpDataOffloadIsRefusedWhileAccountsUsePhoneUsernames()
    {
        await _world.AddAccountAsync("+447700900123");
        await using var db = _world.Db();

        var result = await OrganizationSettings.SaveAsync(db, _world.OrganizationId, new OrganizationSettingsForm(false, true, [], []), _admin, _world.Clock.Now.UtcDateTime, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal("SMTP data offload needs every username to be an email address; 1 account of Acme uses a phone number.", Assert.Single(result.Problems));
    }

    [Theory]
    [InlineData("acme.example, sales.acme.example", true)]
    [InlineData("@acme.example", true)]
    [InlineData("not a domain!", false)]
    [InlineData("acme", false)]
    public void DomainsAreReadFromWhatTheAdminTypes(string text, bool valid)
    {
        Assert.Equal(valid, OrganizationSettings.TryParseDomains(text, out _, out _));
    }

    [Fact]
    public void AnEmptyNameTakesItsSeparatorWithItInTheSubjectAndGreeting()
    {
        var email = InvitationTemplateRenderer.Render(InvitationTemplateDefaults.For(Language.English),
            new InvitationValues("", "", "jane@acme.example", "+12125550100", "https://portal.example/activate/abc"));

        Assert.Equal("Your MultiLine business number is ready", email.Subject);
        Assert.Contains("Hello,", email.TextBody);
        Assert.DoesNotContain(" ,", email.TextBody);
    }

    [Fact]
    public void EveryBadDomainIsQuotedInOneSentence()
    {
        OrganizationSettings.TryParseDomains("acme.example not a domain!", out _, out var error);

        Assert.Equal("\"not\", \"a\", \"domain!\" are not email domains. Write domains such as acme.example.", error);
    }

    public void Dispose() => _world.Dispose();
}
