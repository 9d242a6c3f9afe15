using System.Net;
using System.Text.RegularExpressions;

namespace MultiLine.Tests;

/// <summary>Signs in through the real sign-in form (antiforgery token included) with a cookie-keeping client.</summary>
public static partial class PortalClient
{
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string email, string password, string? returnUrl = null)
    {
        var path = returnUrl is null ? "/signin" : $"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}";
        var form = await client.GetStringAsync(path);
        var token = AntiforgeryTokenIn(form);
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    /// <summary>Signs in and checks it worked: the response is the redirect into the app.</summary>
    public static async Task SignInAsync(HttpClient client, string email, string password = PortalFactory.Password)
    {
        var response = await PostSignInAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {email} failed with {(int)response.StatusCode}.");
    }

    /// <summary>The antiforgery token of the first form on a page, as a form post sends it.</summary>
    public static string AntiforgeryTokenIn(string html) => System.Net.WebUtility.HtmlDecode(AntiforgeryToken().Match(html).Groups[1].Value);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
