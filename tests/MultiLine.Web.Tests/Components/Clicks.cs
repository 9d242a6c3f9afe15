using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace MultiLine.Web.Tests.Components;

/// <summary>
/// Clicks for bUnit tests. <c>cut.Find(…).Click()</c> is a race on a page that renders on its own (a load that ends,
/// a timer, a field's change): the render between the find and the click removes the handler the click names, and
/// bUnit reports it later as an unknown event handler. Here the element is awaited, then found and clicked in one step
/// of the renderer, so no render can come between.
/// </summary>
public static class Clicks
{
    public static void ClickOn<TComponent>(this IRenderedComponent<TComponent> cut, Func<IElement> find) where TComponent : IComponent
    {
        cut.WaitForAssertion(() => find());
        cut.InvokeAsync(() => find().Click()).GetAwaiter().GetResult();
    }

    public static void ClickOn<TComponent>(this IRenderedComponent<TComponent> cut, string selector) where TComponent : IComponent
        => cut.ClickOn(() => cut.Find(selector));
}
