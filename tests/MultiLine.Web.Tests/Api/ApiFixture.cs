using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Demo;
using MultiLine.Tests;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "API";
}

/// <summary>
/// The real portal on a loopback port, shared by the API test classes, with the demo super admin's token from
/// <c>Demo:ApiToken</c> and tokens of the scoped admin and the reports-only admin, plus a revoked and an expired one.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public const string SuperToken = "mlp_test_demo_super_admin_token_0001";
    public const long MaxFileBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public PortalFactory Factory { get; } = new(settings: new Dictionary<string, string?>
    {
        ["Demo:ApiToken"] = SuperToken,
        ["Import:MaxFileBytes"] = MaxFileBytes.ToString(),
        ["Api:PermitLimit"] = "100000",
    });

    public Uri Address { get; private set; } = default!;
    public string ScopedToken { get; private set; } = "";
    public string ReportsToken { get; private set; } = "";
    public string RevokedToken { get; private set; } = "";
    public string ExpiredToken { get; private set; } = "";
    public int ScopedTokenId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Address = Factory.StartOnLoopback();
        var tokens = Factory.Services.GetRequiredService<ApiTokens>();
        await using var db = Factory.CreateDbContext();
        var scoped = await db.Admins.SingleAsync(a => a.Email == DemoDataSeeder.ScopedAdminEmail);
        var reports = await db.Admins.SingleAsync(a => a.Email == DemoDataSeeder.ReportsAdminEmail);
        var super = await db.Admins.SingleAsync(a => a.Email == PortalFactory.AdminEmail);

        var scopedToken = await tokens.CreateAsync(scoped.Id, "HR sync", null, TestActors.Admin);
        (ScopedToken, ScopedTokenId) = (scopedToken.Secret, scopedToken.Token.Id);
        ReportsToken = (await tokens.CreateAsync(reports.Id, "Reports script", null, TestActors.Admin)).Secret;
        var revoked = await tokens.CreateAsync(super.Id, "Old script", null, TestActors.Admin);
        await tokens.RevokeAsync(super.Id, revoked.Token.Id, TestActors.Admin);
        RevokedToken = revoked.Secret;
        ExpiredToken = (await tokens.CreateAsync(super.Id, "Expired script", DateTime.UtcNow.AddMinutes(-1), TestActors.Admin)).Secret;
    }

    public HttpClient Client(string? token = SuperToken)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<int> OrganizationIdAsync(string name)
    {
        await using var db = Factory.CreateDbContext();
        return await db.Organizations.Where(o => o.Name == name).Select(o => o.Id).SingleAsync();
    }

    /// <summary>Waits for the batch to finish through the app's own progress events, then reads it over the API.</summary>
    public async Task<ApiBatch> WaitForBatchAsync(HttpClient client, int batchId)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (Factory.Services.GetRequiredService<BatchProgressNotifier>().Subscribe(batchId, e =>
               {
                   if (e is BatchStateChanged { State: var state } && BatchStates.IsFinished(state))
                       finished.TrySetResult();
               }))
        {
            var batch = await client.GetFromJsonAsync<ApiBatch>($"/api/v1/batches/{batchId}", Json);
            if (!batch!.IsFinished)
                await finished.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        return (await client.GetFromJsonAsync<ApiBatch>($"/api/v1/batches/{batchId}", Json))!;
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}

/// <summary>CSV files for the tests, with usernames unique to each call so tests never collide in the shared database.</summary>
public static class ApiCsv
{
    public const string Header = "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language";

    public static string Unique(string name) => $"{name}.{Guid.NewGuid():N}"[..(name.Length + 13)] + "@api-test.example";

    /// <summary>Valid rows for an organization without social messaging requirements (social_messaging No).</summary>
    public static string Valid(params string[] usernames) =>
        string.Join("\r\n", [Header, .. usernames.Select(u => $"Test,User,{u},No,,auto,on,,,English")]) + "\r\n";

    public static StringContent Body(string csv) => new(csv, System.Text.Encoding.UTF8, "text/csv");
}
