using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Core.Accounts;
using MultiLine.Core.Common;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Persistence;
using MultiLine.Web.Accounts;
using MultiLine.Web.Invitations;
using MultiLine.Web.Numbers;
using MultiLine.Web.Organizations;
using MultiLine.Web.Reports;

namespace MultiLine.Web.Tests.Isolation;

/// <summary>
/// Attacks the portal as a scoped admin and as a reports-only admin: every /api/v1 operation of the OpenAPI document,
/// every other GET endpoint (pages, downloads) found in the app's route table, and the batch hub, each with foreign ids
/// and adversarial search texts. Nothing of another subtree may come back: no name, username, number, file name,
/// organization id or count, and no request may change another organization's data.
/// </summary>
public sealed partial class TenantIsolationTests(IsolationFixture portal) : IClassFixture<IsolationFixture>
{
    private static readonly CancellationToken Cancel = Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoApiEndpointLetsAnAdminSeeAnotherSubtree()
    {
        var before = await portal.FingerprintAsync();
        var document = JsonNode.Parse(await portal.Scoped.Api.GetStringAsync("/openapi/v1.json", Cancel))!;
        var findings = new List<string>();
        var tried = 0;
        var operations = 0;

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                operations++;
                foreach (var tenant in portal.Admins)
                {
                    foreach (var request in ApiRequests(path, method, operation!, document, tenant))
                    {
                        tried++;
                        using var message = request();
                        var sent = message.Content is null ? "" : await message.Content.ReadAsStringAsync(Cancel);
                        tenant.Typed.Enqueue(Uri.UnescapeDataString(message.RequestUri!.OriginalString) + " " + sent);
                        using var response = await tenant.Api.SendAsync(message, Cancel);
                        findings.AddRange(Inspect(tenant, $"{method.ToUpperInvariant()} {message.RequestUri!.OriginalString}", response, await response.Content.ReadAsStringAsync(Cancel), sent));
                    }
                }
            }
        }

        Report($"Tenant isolation, API: {operations} operations from the OpenAPI document, {tried} requests tried as {portal.Admins.Count} admins.");
        Assert.True(operations >= 10, $"The OpenAPI document listed only {operations} operations.");
        NoFindings(findings);
        Assert.Equal(before, await portal.FingerprintAsync());
    }

    [Fact]
    public async Task NoPageOrDownloadLetsAnAdminSeeAnotherSubtree()
    {
        var before = await portal.FingerprintAsync();
        var endpoints = portal.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(IsPageOrDownload)
            .ToList();
        var findings = new List<string>();
        var tried = 0;

        foreach (var endpoint in endpoints)
        {
            foreach (var tenant in portal.Admins)
            {
                foreach (var url in PageUrls(endpoint, tenant))
                {
                    tried++;
                    tenant.Typed.Enqueue(Uri.UnescapeDataString(url));
                    using var response = await tenant.Browser.GetAsync(url, Cancel);
                    findings.AddRange(Inspect(tenant, $"GET {url}", response, await response.Content.ReadAsStringAsync(Cancel)));
                }
            }
        }

        Report($"Tenant isolation, pages and downloads: {endpoints.Count} endpoints, {tried} requests tried as {portal.Admins.Count} admins.");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.Contains("report.csv", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.Contains(".eml", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.Contains("templates", StringComparison.Ordinal));
        NoFindings(findings);
        Assert.Equal(before, await portal.FingerprintAsync());
    }

    [Fact]
    public async Task TheBatchHubRefusesAnotherSubtreesBatchesWithoutNamingThem()
    {
        var tried = 0;
        var findings = new List<string>();
        foreach (var tenant in portal.Admins)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(portal.Address, "hubs/batches"), options => options.Cookies = tenant.Cookies)
                .Build();
            await connection.StartAsync(Cancel);
            await using (connection)
            {
                foreach (var id in tenant.ForeignIds["batch"])
                {
                    tried++;
                    var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<JsonElement>("Subscribe", id, Cancel));
                    findings.AddRange(Inspect(tenant, $"hub Subscribe({id})", null, error.Message));
                }
                foreach (var id in tenant.OwnIds["batch"])
                {
                    tried++;
                    var snapshot = await connection.InvokeAsync<JsonElement>("Subscribe", id, Cancel);
                    findings.AddRange(Inspect(tenant, $"hub Subscribe({id})", null, snapshot.GetRawText()));
                }
            }
        }

        Report($"Tenant isolation, hub: {tried} subscriptions tried.");
        NoFindings(findings);
    }

    [Fact]
    public async Task NoPagesDataLetsAnAdminSeeAnotherSubtree()
    {
        // Pages load their rows after the first render, so they are rendered with bUnit in each admin's scope.
        var findings = new List<string>();
        var tried = 0;
        foreach (var tenant in portal.Admins)
        {
            await using var context = Components.PortalTestContext.Create(portal.Factory, tenant.Scope);
            // What the outbox and settings pages need besides, from the real app.
            foreach (var type in new[] { typeof(OutboxLocation), typeof(EmailTransportFactory), typeof(Microsoft.Extensions.Options.IOptions<SmtpOptions>) })
                context.Services.AddSingleton(type, portal.Factory.Services.GetRequiredService(type));
            context.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
            context.Render<MudPopoverProvider>();

            var accounts = context.Render<AccountsPage>();
            accounts.WaitForAssertion(() => Assert.Contains(tenant.OwnUsername, accounts.Markup, StringComparison.OrdinalIgnoreCase));
            var search = accounts.FindComponents<MudTextField<string>>().First(f => f.Instance.Placeholder == "Name, username or number");
            foreach (var text in tenant.AdversarialTexts)
            {
                tried++;
                await accounts.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync(text));
                var expected = await ScopedTotalAsync(tenant, text);
                accounts.WaitForAssertion(() => Assert.True(expected == 0
                    ? accounts.Markup.Contains("No accounts", StringComparison.OrdinalIgnoreCase) || !accounts.Markup.Contains("tr class=\"mud-table-row", StringComparison.Ordinal)
                    : accounts.Markup.Contains($" of {expected}", StringComparison.Ordinal)), TimeSpan.FromSeconds(15));
                findings.AddRange(Inspect(tenant, $"Accounts page, search \"{text}\"", null, accounts.Markup, text));
            }

            tried++;
            var reports = context.Render<BatchReportsPage>();
            reports.WaitForAssertion(() => Assert.Contains("roster-of-", reports.Markup, StringComparison.Ordinal));
            findings.AddRange(Inspect(tenant, "Reports page", null, reports.Markup));

            tried++;
            var outbox = context.Render<OutboxPage>();
            outbox.WaitForAssertion(() => Assert.DoesNotContain("mud-table-loading", outbox.Markup, StringComparison.Ordinal));
            findings.AddRange(Inspect(tenant, "Outbox page", null, outbox.Markup));

            foreach (var id in tenant.ForeignIds["batch"])
            {
                tried++;
                var detail = context.Render<BatchDetailPage>(p => p.Add(d => d.BatchId, id));
                detail.WaitForAssertion(() => Assert.Contains("not found", detail.Markup, StringComparison.OrdinalIgnoreCase));
                findings.AddRange(Inspect(tenant, $"Batch page #{id}", null, detail.Markup));
            }

            foreach (var id in tenant.ForeignIds["account"])
            {
                tried++;
                var panel = context.Render<AccountPage>(p => p.Add(d => d.AccountId, id));
                panel.WaitForAssertion(() => Assert.Contains("not found", panel.Markup, StringComparison.OrdinalIgnoreCase));
                findings.AddRange(Inspect(tenant, $"Account panel #{id}", null, panel.Markup));
            }

            foreach (var page in new[] { typeof(NumbersPage), typeof(SettingsPage), typeof(OrganizationsPage), typeof(PermissionGroupsPage) })
            {
                tried++;
                var rendered = context.Render(builder => { builder.OpenComponent(0, page); builder.CloseComponent(); });
                await Task.Yield();
                rendered.WaitForAssertion(() => Assert.DoesNotContain("mud-progress-linear", rendered.Markup, StringComparison.Ordinal));
                findings.AddRange(Inspect(tenant, page.Name, null, rendered.Markup));
            }
        }

        Report($"Tenant isolation, pages: {tried} page states rendered as {portal.Admins.Count} admins.");
        NoFindings(findings);
    }

    private async Task<int> ScopedTotalAsync(Tenant tenant, string text)
    {
        await using var db = (await portal.Factory.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>().CreateDbContextAsync(Cancel)).WithScope(tenant.Scope);
        return (await AccountDirectory.SearchAsync(db, new AccountSearch(text), new PageRequest(), Cancel)).TotalCount;
    }

    // ---- What a response must not hold ----

    /// <param name="echo">What the request itself sent: a value the attacker typed may come back in an error message.</param>
    private static IEnumerable<string> Inspect(Tenant tenant, string request, HttpResponseMessage? response, string body, string echo = "")
    {
        var where = $"{tenant.Email} {request}";
        echo = Uri.UnescapeDataString(request) + " " + echo;
        // The activity record lists what the admin did, in their own words: what they typed earlier may come back there.
        if (request.Contains("activity", StringComparison.Ordinal))
            echo += " " + string.Join(" ", tenant.Typed);
        if (response is not null && (int)response.StatusCode >= 500)
            yield return $"{where}: {(int)response.StatusCode}";
        foreach (var name in tenant.ForeignOrganizationNames.Where(n => body.Contains(n, StringComparison.OrdinalIgnoreCase) && !echo.Contains(n, StringComparison.OrdinalIgnoreCase)))
            yield return $"{where}: names organization {name}";
        foreach (var file in tenant.ForeignFileNames.Where(f => body.Contains(f, StringComparison.OrdinalIgnoreCase)))
            yield return $"{where}: names file {file}";
        foreach (var email in EmailAddress().Matches(body).Select(m => m.Value).Where(e => tenant.ForeignUsernames.Contains(e) && !echo.Contains(e, StringComparison.OrdinalIgnoreCase)).Distinct().Take(3))
            yield return $"{where}: shows account {email}";
        foreach (var number in PhoneNumber().Matches(body).Select(m => m.Value).Where(n => tenant.ForeignNumbers.Contains(n) && !echo.Contains(n, StringComparison.Ordinal)).Distinct().Take(3))
            yield return $"{where}: shows number {number}";
        if (response?.Content.Headers.ContentType?.MediaType == "application/json" && TryParse(body) is { } json)
        {
            foreach (var id in Values(json, "organizationId").Where(id => !tenant.VisibleOrganizationIds.Contains(id)).Distinct())
                yield return $"{where}: shows organization id {id}";
            if (request.Contains("/api/v1/accounts", StringComparison.Ordinal))
                foreach (var count in Values(json, "totalCount").Where(c => c > tenant.InsideAccounts))
                    yield return $"{where}: counts {count} accounts, more than the {tenant.InsideAccounts} in scope";
        }
    }

    private static JsonNode? TryParse(string body)
    {
        try { return JsonNode.Parse(body); }
        catch (JsonException) { return null; }
    }

    private static IEnumerable<int> Values(JsonNode? node, string property) => node switch
    {
        JsonObject o => o.SelectMany(p => string.Equals(p.Key, property, StringComparison.OrdinalIgnoreCase) && p.Value is JsonValue v && v.TryGetValue<int>(out var i)
            ? [i]
            : Values(p.Value, property)),
        JsonArray a => a.SelectMany(e => Values(e, property)),
        _ => [],
    };

    // ---- API requests from the OpenAPI document ----

    private static IEnumerable<Func<HttpRequestMessage>> ApiRequests(string path, string method, JsonNode operation, JsonNode document, Tenant tenant)
    {
        var writes = method != "get";
        var parameters = (operation["parameters"] as JsonArray ?? []).Select(p => p!).ToList();
        // Reads try every id, the admin's own included; writes try only foreign ids, so the suite changes nothing. A write on
        // a batch takes foreign batch ids: another kind's foreign id can be one of the admin's own batches, which they may
        // rightly undo.
        var ids = !writes ? [.. tenant.AllForeignIds, .. tenant.OwnIds.Values.SelectMany(v => v)]
            : path.StartsWith("/api/v1/batches/{", StringComparison.Ordinal) ? tenant.ForeignIds["batch"].ToList()
            : tenant.AllForeignIds.ToList();
        var pathIds = path.Contains('{') ? ids : [0];
        var bodies = Bodies(operation, document, tenant).ToList();

        foreach (var id in pathIds)
        {
            var url = PathParameter().Replace(path, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            IEnumerable<string> queries = [""];
            foreach (var parameter in parameters.Where(p => (string?)p["in"] == "query"))
            {
                var name = (string)parameter["name"]!;
                var values = (parameter["schema"]?["type"]?.ToJsonString() ?? "") switch
                {
                    var t when t.Contains("integer", StringComparison.Ordinal) => name.Contains("page", StringComparison.OrdinalIgnoreCase)
                        ? ["0", "-1", "2147483647", "99999"]
                        : ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    var t when t.Contains("boolean", StringComparison.Ordinal) => ["true"],
                    _ => tenant.AdversarialTexts,
                };
                queries = queries.Concat(values.Select(v => $"{name}={Uri.EscapeDataString(v)}"));
            }
            // Path ids are tried with every query value only on the first id; the rest take the plain request.
            foreach (var query in id == pathIds[0] ? queries : [""])
                foreach (var body in bodies)
                    yield return () => new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), query.Length == 0 ? url : $"{url}?{query}") { Content = body() };
        }
    }

    private static IEnumerable<Func<HttpContent?>> Bodies(JsonNode operation, JsonNode document, Tenant tenant)
    {
        if (operation["requestBody"]?["content"] is not JsonObject content)
            return [() => null];
        var bodies = new List<Func<HttpContent?>>();
        if (content.ContainsKey("application/json"))
        {
            var schema = Resolve(content["application/json"]!["schema"]!, document);
            var accountIds = tenant.ForeignIds["account"];
            var organizationIds = tenant.ForeignIds["organization"];
            var json = new JsonObject();
            foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
            {
                var type = property!["type"]?.ToJsonString() ?? "";
                json[name] = type.Contains("array", StringComparison.Ordinal)
                    ? new JsonArray([.. accountIds.Select(i => (JsonNode)i)])
                    : type.Contains("integer", StringComparison.Ordinal) ? organizationIds[0] : "x";
            }
            bodies.Add(() => new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json"));
        }
        if (content.Any(c => c.Key.Contains("csv", StringComparison.Ordinal) || c.Key.Contains("multipart", StringComparison.Ordinal)))
        {
            // A file naming another tenant's account and number: the answer may refuse them, never say whose they are.
            var csv = "firstname,lastname,email address or device,multiline_number\r\n"
                + $"Eve,Attacker,{tenant.ForeignUsernames.Order().First()},{tenant.ForeignNumbers.Order().First()}\r\n";
            bodies.Add(() => new StringContent(csv, Encoding.UTF8, "text/csv"));
        }
        return bodies.Count > 0 ? bodies : [() => null];
    }

    private static JsonNode Resolve(JsonNode schema, JsonNode document) =>
        schema["$ref"] is { } reference
            ? document["components"]!["schemas"]![((string)reference!).Split('/').Last()]!
            : schema;

    // ---- Pages and downloads from the route table ----

    private static bool IsPageOrDownload(RouteEndpoint endpoint)
    {
        var pattern = endpoint.RoutePattern.RawText ?? "";
        if (pattern.StartsWith("/api", StringComparison.Ordinal) || pattern.StartsWith("/openapi", StringComparison.Ordinal)
            || pattern.StartsWith("/_", StringComparison.Ordinal) || pattern.StartsWith("/hubs", StringComparison.Ordinal)
            || pattern.Contains("{**", StringComparison.Ordinal) || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") != true)
            return false;
        if (endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            return true;
        // Static files carry their file name in the pattern; downloads of the app have a route parameter or a handler with parameters.
        return endpoint.Metadata.GetMetadata<MethodInfo>() is { } handler && handler.GetParameters().Any(p => p.ParameterType == typeof(int) || p.ParameterType == typeof(int?));
    }

    private static IEnumerable<string> PageUrls(RouteEndpoint endpoint, Tenant tenant)
    {
        var ids = tenant.AllForeignIds.Concat(tenant.OwnIds.Values.SelectMany(v => v)).ToList();
        var pattern = endpoint.RoutePattern;
        var queryNames = new List<string>();
        if (endpoint.Metadata.GetMetadata<MethodInfo>() is { } handler)
            queryNames.AddRange(handler.GetParameters()
                .Where(p => (p.ParameterType == typeof(int) || p.ParameterType == typeof(int?)) && pattern.GetParameter(p.Name!) is null)
                .Select(p => p.Name!));
        var routeIds = pattern.Parameters.Count > 0 ? ids : [0];
        foreach (var id in routeIds)
        {
            var path = PathParameter().Replace(pattern.RawText!, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (queryNames.Count == 0)
                yield return path;
            foreach (var name in queryNames)
                foreach (var value in ids)
                    yield return $"{path}?{name}={value}";
        }
    }

    private static void NoFindings(List<string> findings) =>
        Assert.True(findings.Count == 0, $"{findings.Count} leaks:\n{string.Join("\n", findings.Take(60))}");

    private static void Report(string line)
    {
        Xunit.TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"\+\d{8,15}")]
    private static partial Regex PhoneNumber();
}
