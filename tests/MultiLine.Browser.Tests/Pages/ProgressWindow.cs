using Microsoft.Playwright;

namespace MultiLine.Browser.Tests.Pages;

/// <summary>The live progress window (or the batch detail page, which shows the same view).</summary>
public sealed class ProgressWindow(IPage page, ILocator? scope = null)
{
    private ILocator Root => scope ?? page.GetByRole(AriaRole.Dialog);

    public ILocator ProgressBar => Root.GetByLabel("Batch progress");
    public ILocator State => Root.Locator(".ml-progress-head .mud-chip").First;
    public ILocator RecentRows => Root.Locator(".ml-recent-rows tbody tr");
    public ILocator FailedRows => Root.Locator(".ml-recent-rows tbody tr.ml-row-failed");
    public ILocator DownloadReport => Root.GetByRole(AriaRole.Link, new() { Name = "Download report" });
}
