using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Admins;
using MultiLine.Core.Webhooks;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Webhooks;

/// <summary>/api/v1/organizations/{id}/webhooks against the real app and a real HTTPS receiver.</summary>
public sealed class WebhooksApiTests(WebhookPortalFixture portal) : IClassFixture<WebhookPortalFixture>
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private async Task<(HttpClient Api, int OrganizationId)> ApiAsync(string organization)
    {
        await using var db = portal.Factory.CreateDbContext();
        var admin = await db.Admins.FirstAsync(a => a.Email == PortalFactory.AdminEmail, Ct);
        var token = await portal.Factory.Services.GetRequiredService<ApiTokens>().CreateAsync(admin.Id, "Webhook tests", null, TestActors.Admin);
        var api = portal.Factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Secret);
        return (api, (await db.Organizations.SingleAsync(o => o.Name == organization, Ct)).Id);
    }

    [Fact]
    public async Task AnEndpointIsCreatedWithItsSecretShownOnceAndAPlainHttpAddressIsRefused()
    {
        var (api, org) = await ApiAsync("Acme Corp");

        var refused = await api.PostAsJsonAsync($"/api/v1/organizations/{org}/webhooks", new { url = "http://hooks.example.com/x", events = new[] { "batch.completed" } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(WebhookAddresses.HttpsOnlyMessage, (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        var unknown = await api.PostAsJsonAsync($"/api/v1/organizations/{org}/webhooks", new { url = portal.Receiver.Url, events = new[] { "batch.started" } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        var created = await api.PostAsJsonAsync($"/api/v1/organizations/{org}/webhooks", new { url = portal.Receiver.Url, events = new[] { "batch.completed", "invitation.failed" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var change = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var secret = change.GetProperty("secret").GetString()!;
        var id = change.GetProperty("id").GetInt32();
        Assert.StartsWith(WebhookSecrets.Prefix, secret);

        var list = await api.GetStringAsync($"/api/v1/organizations/{org}/webhooks", Ct);
        Assert.Contains(portal.Receiver.Url, list);
        Assert.DoesNotContain(secret, list);
        var revealed = await api.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{org}/webhooks/{id}/secret", Ct);
        Assert.Equal(secret, revealed.GetProperty("secret").GetString());
        var rotated = await (await api.PostAsync($"/api/v1/organizations/{org}/webhooks/{id}/secret", null, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.NotEqual(secret, rotated.GetProperty("secret").GetString());

        await using var db = portal.Factory.CreateDbContext();
        var actions = await db.ActivityEntries.Where(a => a.TargetKind == Core.Activity.ActivityTargetKind.Webhook && a.TargetId == id.ToString()).Select(a => a.Action).ToListAsync(Ct);
        Assert.Equal([Core.Activity.ActivityActions.WebhookCreate, Core.Activity.ActivityActions.WebhookSecretReveal, Core.Activity.ActivityActions.WebhookSecretRotate],
            actions.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task ATestEventSentThroughTheApiReachesTheReceiverAndShowsInTheEndpointsDeliveries()
    {
        var (api, org) = await ApiAsync("Support EMEA");
        var one = (await (await api.PostAsJsonAsync($"/api/v1/organizations/{org}/webhooks", new { url = portal.Receiver.Url, events = new[] { "account.activated" } }, Ct))
            .Content.ReadFromJsonAsync<JsonElement>(Ct));
        var other = (await (await api.PostAsJsonAsync($"/api/v1/organizations/{org}/webhooks", new { url = portal.Receiver.Url + "?second", events = new[] { "account.activated" } }, Ct))
            .Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt32();
        var id = one.GetProperty("id").GetInt32();
        var before = portal.Receiver.Received.Count;

        var sent = await api.PostAsync($"/api/v1/organizations/{org}/webhooks/{id}/test", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var deliveryId = (await sent.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("deliveryId").GetInt64();
        var received = (await portal.Receiver.WaitForAsync(before + 1)).Single(r => r.Delivery == deliveryId.ToString());
        Assert.True(WebhookSignature.Verify(one.GetProperty("secret").GetString()!, received.Signature!, received.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var mine = await api.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{org}/webhooks/deliveries?endpointId={id}", Ct);
        var item = Assert.Single(mine.GetProperty("items").EnumerateArray());
        Assert.Equal((deliveryId, "webhook.test"), (item.GetProperty("id").GetInt64(), item.GetProperty("event").GetString()));
        var theirs = await api.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{org}/webhooks/deliveries?endpointId={other}", Ct);
        Assert.Equal(0, theirs.GetProperty("totalCount").GetInt32());
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("POST", "")]
    [InlineData("PATCH", "/{0}")]
    [InlineData("DELETE", "/{0}")]
    [InlineData("GET", "/{0}/secret")]
    [InlineData("POST", "/{0}/secret")]
    [InlineData("POST", "/{0}/test")]
    [InlineData("GET", "/deliveries")]
    public async Task AnAdminWithoutTheSetupPrivilegeGets403AndChangesNothing(string method, string suffix)
    {
        var (owner, organizationId) = await ApiAsync("Acme Sales");
        var created = await owner.PostAsJsonAsync($"/api/v1/organizations/{organizationId}/webhooks",
            new { url = "https://hooks.example.com/setup-only", events = new[] { WebhookEvents.BatchCompleted } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var endpointId = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt32();
        string secretBefore;
        await using (var db = portal.Factory.CreateDbContext())
            secretBefore = (await db.WebhookEndpoints.SingleAsync(e => e.Id == endpointId, Ct)).ProtectedSecret;
        using var api = await AdminWithoutSetupAsync();

        var request = new HttpRequestMessage(new HttpMethod(method), $"/api/v1/organizations/{organizationId}/webhooks{string.Format(suffix, endpointId)}");
        if (method is "POST" or "PATCH")
            request.Content = JsonContent.Create(new { url = "https://hooks.example.com/intruder", events = new[] { WebhookEvents.BatchCompleted } });
        var response = await api.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await using var check = portal.Factory.CreateDbContext();
        var endpoint = await check.WebhookEndpoints.SingleAsync(e => e.Id == endpointId, Ct);
        Assert.Equal(("https://hooks.example.com/setup-only", secretBefore), (endpoint.Url, endpoint.ProtectedSecret));
        Assert.False(await check.WebhookEndpoints.AnyAsync(e => e.Url == "https://hooks.example.com/intruder", Ct));
        Assert.False(await check.WebhookDeliveries.AnyAsync(d => d.EndpointId == endpointId, Ct));
    }

    /// <summary>An admin of every organization with every privilege but Setup, and an API client with their token.</summary>
    private async Task<HttpClient> AdminWithoutSetupAsync()
    {
        var unique = Guid.NewGuid().ToString("N")[..8];
        await using var db = portal.Factory.CreateDbContext();
        var role = new Role { Name = $"No setup {unique}", Privileges = Privileges.All & ~Privileges.Setup };
        var admin = new Admin { Email = $"nosetup-{unique}@acme.example", NormalizedEmail = $"NOSETUP-{unique}@ACME.EXAMPLE", DisplayName = "No Setup", Role = role, PasswordHash = "x" };
        db.Admins.Add(admin);
        await db.SaveChangesAsync(Ct);
        var token = await portal.Factory.Services.GetRequiredService<ApiTokens>().CreateAsync(admin.Id, "No setup script", null, TestActors.For(admin.Id), Ct);
        var api = portal.Factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Secret);
        return api;
    }
}
