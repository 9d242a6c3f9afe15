using Microsoft.Playwright;

namespace MultiLine.Browser.Tests;

/// <summary>Saves full-page screenshots under <c>test-artifacts/screenshots</c> at the repository root, for people to look at.</summary>
public static class Screenshots
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MultiLine.Blazor.sln")))
            directory = directory.Parent;
        var folder = Path.Combine(directory?.FullName ?? Path.GetTempPath(), "test-artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    });

    public static Task SaveAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder.Value, name + ".png"), FullPage = true });

    /// <summary>What the screen shows, without scrolling: for a menu or a dialog over the page.</summary>
    public static Task SaveScreenAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder.Value, name + ".png") });

    /// <summary>Only one part of the page, for a close look at it.</summary>
    public static Task SaveAsync(ILocator part, string name) =>
        part.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Folder.Value, name + ".png") });
}
