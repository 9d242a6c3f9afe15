using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Web.Invitations;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The Outbox page's search and state filter, kept in the address.</summary>
public sealed class OutboxPageTests : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly PortalFixture _portal;
    private readonly BunitContext _context;
    // Each test's emails carry their own word, so the demo's emails and other tests' never match.
    private readonly string _word = $"probe{Guid.NewGuid():N}"[..13];

    public OutboxPageTests(PortalFixture portal)
    {
        _portal = portal;
        _context = PortalTestContext.Create(portal.Factory);
        foreach (var type in new[] { typeof(EmailTransportFactory), typeof(IOptions<SmtpOptions>), typeof(OutboxLocation) })
            _context.Services.AddSingleton(type, portal.Factory.Services.GetRequiredService(type));
    }

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private NavigationManager Navigation => _context.Services.GetRequiredService<NavigationManager>();

    private async Task AddEmailsAsync()
    {
        await using var db = _portal.Factory.CreateDbContext();
        var later = DateTime.UtcNow.AddDays(30);
        db.EmailMessages.AddRange(
            Email($"ada.{_word}@sales.acme.example", "Your MultiLine invitation", EmailState.Sent),
            Email("grace@sales.acme.example", $"Batch report {_word}", EmailState.Failed, "550 mailbox unavailable"),
            Email($"alan.{_word}@sales.acme.example", "Your MultiLine invitation", EmailState.Failed, "550 no such user"),
            Email($"edsger_{_word}@sales.acme.example", "100% done", EmailState.Superseded));
        await db.SaveChangesAsync(Ct);

        EmailMessage Email(string to, string subject, EmailState state, string? error = null) => new()
        {
            ToAddress = to, Subject = subject, HtmlBody = "<p>x</p>", TextBody = "x", State = state, LastError = error,
            // Never due: the portal's own sender leaves these alone.
            CreatedAtUtc = DateTime.UtcNow, NextAttemptAtUtc = later,
        };
    }

    private IRenderedComponent<OutboxPage> RenderAt(string address)
    {
        Navigation.NavigateTo(address);
        var page = _context.Render<OutboxPage>();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-table-loading")));
        return page;
    }

    private static List<string> Recipients(IRenderedComponent<OutboxPage> page) =>
        page.FindAll("tbody tr.mud-table-row").Select(row => row.QuerySelectorAll("td")[2].TextContent.Trim()).ToList();

    [Fact]
    public async Task SearchFindsEmailsByRecipientOrSubjectAndPutsTheTextInTheAddress()
    {
        await AddEmailsAsync();
        var page = RenderAt("outbox");

        page.Find("#outbox-search").Change(_word.ToUpperInvariant());

        page.WaitForAssertion(() => Assert.Equal(
            [$"edsger_{_word}@sales.acme.example", $"alan.{_word}@sales.acme.example", "grace@sales.acme.example", $"ada.{_word}@sales.acme.example"],
            Recipients(page)));
        Assert.EndsWith($"outbox?q={_word.ToUpperInvariant()}", Navigation.Uri);
    }

    [Fact]
    public async Task AnAddressWithSearchAndStateShowsOnlyTheEmailsMatchingBoth()
    {
        await AddEmailsAsync();

        var page = RenderAt($"outbox?q={_word}&state=Failed");

        page.WaitForAssertion(() => Assert.Equal([$"alan.{_word}@sales.acme.example", "grace@sales.acme.example"], Recipients(page)));
        Assert.Equal(_word, page.Find("#outbox-search").GetAttribute("value"));
        Assert.Contains("Failed", page.Find(".mud-chip-selected").TextContent);
    }

    [Fact]
    public async Task ChoosingAStateKeepsTheSearchAndPutsBothInTheAddress()
    {
        await AddEmailsAsync();
        var page = RenderAt($"outbox?q={_word}");

        page.ClickOn(() => page.FindAll(".mud-chip").First(chip => chip.TextContent.Contains("Replaced by a resend")));

        page.WaitForAssertion(() => Assert.Equal([$"edsger_{_word}@sales.acme.example"], Recipients(page)));
        Assert.EndsWith($"outbox?q={_word}&state=Superseded", Navigation.Uri);
    }

    [Fact]
    public async Task WildcardsAreSearchedAsTheCharactersTheyAre()
    {
        await AddEmailsAsync();

        var percent = RenderAt($"outbox?q={Uri.EscapeDataString("100%")}");
        percent.WaitForAssertion(() => Assert.Contains($"edsger_{_word}@sales.acme.example", Recipients(percent)));
        Assert.DoesNotContain($"ada.{_word}@sales.acme.example", Recipients(percent));

        var underscore = RenderAt($"outbox?q={Uri.EscapeDataString($"_{_word}")}");
        underscore.WaitForAssertion(() => Assert.Equal([$"edsger_{_word}@sales.acme.example"], Recipients(underscore)));
    }

    [Fact]
    public async Task NothingMatchingSaysWhatWasAskedForAndOffersTheWholeOutbox()
    {
        await AddEmailsAsync();

        var page = RenderAt($"outbox?q=nobody-{_word}&state=Sent");

        page.WaitForAssertion(() => Assert.Contains($"No emails match “nobody-{_word}” and the state Sent", page.Markup));
        Assert.Equal("outbox", page.Find("a.mud-link").GetAttribute("href"));
        Assert.Empty(Recipients(page));
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
