using Bunit;
using MudBlazor.Services;
using MultiLine.Web.Components.Pages;

namespace MultiLine.Web.Tests.Components;

/// <summary>The not-found page itself (its status and layout are checked against the real app in PageShellTests).</summary>
public sealed class NotFoundPageTests : IAsyncDisposable
{
    private readonly BunitContext _context = new();

    public NotFoundPageTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddMudServices();
    }

    [Fact]
    public void TheNotFoundPageSaysTheAddressLeadsNowhereAndOffersTheWayBackToAccounts()
    {
        var page = _context.Render<NotFound>();

        Assert.Contains("Page not found", page.Markup);
        var back = page.Find("a");
        Assert.Equal("Go to Accounts", back.TextContent.Trim());
        Assert.Equal("accounts", back.GetAttribute("href"));
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
