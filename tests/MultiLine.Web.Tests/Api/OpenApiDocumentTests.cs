using System.Text.Json;

namespace MultiLine.Web.Tests.Api;

/// <summary>The built-in generator's document lists every endpoint, the bearer scheme, and examples.</summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ApiFixture api)
{
    [Fact]
    public async Task DocumentDescribesEveryEndpointWithBearerSecurityAndExamples()
    {
        using var client = api.Client(token: null);

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken));

        var root = document.RootElement;
        var paths = root.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(
        [
            "/api/v1/accounts", "/api/v1/accounts/bulk/delete", "/api/v1/accounts/bulk/edit-settings",
            "/api/v1/accounts/bulk/move", "/api/v1/accounts/bulk/resend-invitations", "/api/v1/accounts/bulk/suspend",
            "/api/v1/accounts/bulk/unsuspend", "/api/v1/accounts/export.csv", "/api/v1/accounts/move",
            "/api/v1/accounts/resend-invitations", "/api/v1/accounts/updates", "/api/v1/accounts/updates/validate",
            "/api/v1/accounts/{id}", "/api/v1/accounts/{id}/suspend", "/api/v1/accounts/{id}/unsuspend", "/api/v1/activity",
            "/api/v1/activity/export.csv", "/api/v1/admins", "/api/v1/admins/{id}", "/api/v1/admins/{id}/resend-invitation",
            "/api/v1/batches", "/api/v1/batches/{id}", "/api/v1/batches/{id}/cancel", "/api/v1/batches/{id}/report.csv",
            "/api/v1/batches/{id}/rows", "/api/v1/batches/{id}/undo", "/api/v1/organizations", "/api/v1/organizations/{id}",
            "/api/v1/organizations/{id}/default-permission-group", "/api/v1/organizations/{id}/imports",
            "/api/v1/organizations/{id}/imports/validate", "/api/v1/organizations/{id}/number-utilization",
            "/api/v1/organizations/{id}/numbers", "/api/v1/organizations/{id}/numbers/allocate",
            "/api/v1/organizations/{id}/numbers/release", "/api/v1/organizations/{id}/numbers/reserve",
            "/api/v1/organizations/{id}/numbers/withdraw", "/api/v1/organizations/{id}/permission-groups",
            "/api/v1/organizations/{id}/template.csv", "/api/v1/organizations/{id}/template.xlsx",
            "/api/v1/organizations/{id}/webhooks", "/api/v1/organizations/{id}/webhooks/deliveries",
            "/api/v1/organizations/{id}/webhooks/{webhookId}", "/api/v1/organizations/{id}/webhooks/{webhookId}/secret",
            "/api/v1/organizations/{id}/webhooks/{webhookId}/test",
            "/api/v1/permission-groups/{id}", "/api/v1/roles", "/api/v1/roles/{id}",
        ], paths.Order(StringComparer.Ordinal));
        Assert.Equal("bearer", root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
        var validate = root.GetProperty("paths").GetProperty("/api/v1/organizations/{id}/imports/validate").GetProperty("post");
        Assert.True(validate.GetProperty("requestBody").GetProperty("content").TryGetProperty("text/csv", out _));
        Assert.True(validate.GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        var example = validate.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("Row 4, monitor_sms: \"yes\" is not one of on, off.", example.GetProperty("problems")[0].GetProperty("text").GetString());
        var conflict = root.GetProperty("paths").GetProperty("/api/v1/accounts/move").GetProperty("post").GetProperty("responses").GetProperty("409");
        Assert.Equal("Unable to move account(s). You do not have enough numbers available in the selected organization",
            conflict.GetProperty("content").GetProperty("application/problem+json").GetProperty("example").GetProperty("detail").GetString());
        var bulkDelete = root.GetProperty("paths").GetProperty("/api/v1/accounts/bulk/delete").GetProperty("post");
        Assert.Equal("PORTED", bulkDelete.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("tag").GetString());
        Assert.Equal("Delete", bulkDelete.GetProperty("responses").GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("kind").GetString());
    }
}
