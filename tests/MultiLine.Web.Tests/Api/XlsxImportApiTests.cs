using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;
using MultiLine.Tests;
using MultiLine.Web.Api;
using W = MultiLine.Tests.TestWorkbook;

namespace MultiLine.Web.Tests.Api;

/// <summary>Excel workbooks over HTTP: raw body or multipart, a picked sheet, the .xlsx template and the template with numbers.</summary>
[Collection(ApiCollection.Name)]
public sealed class XlsxImportApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ByteArrayContent Workbook(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(XlsxTemplate.ContentType);
        return content;
    }

    [Fact]
    public async Task ValidateReadsTheSheetNamedInTheRequestAndSaysWhichPhoneCellExcelStoredAsANumber()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var workbook = W.Create()
            .Sheet("Cover", [["Accounts for Acme Sales"]])
            .Sheet("People", [W.Header, W.Row(ApiCsv.Unique("text")), W.Row(W.Number(14155550100))])
            .ToBytes();

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports/validate?sheet=People", Workbook(workbook), Ct);

        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync<ApiValidation>(ApiFixture.Json, Ct);
        Assert.Empty(result!.FileErrors);
        Assert.Equal(2, result.Counts.Total);
        Assert.Equal(1, result.Counts.Valid);
        Assert.Contains(result.Problems, p => p.Text.StartsWith("Row 3, email address or device: Excel stored 14155550100 as a number, not text", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownSheetIsRefusedWith400()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports?sheet=Nope",
            Workbook(W.Create().Sheet("People", [W.Header, W.Row(ApiCsv.Unique("x"))]).ToBytes()), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The workbook has no sheet named", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ImportOfAMultipartWorkbookCreatesTheAccountsWithTheirTextNumbers()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        string[] users = [ApiCsv.Unique("ada"), ApiCsv.Unique("alan")];
        var bytes = W.Create().Sheet("Accounts", [W.Header, .. users.Select(u => W.Row(u))]).ToBytes();
        using var form = new MultipartFormDataContent { { Workbook(bytes), "file", "people.xlsx" } };

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports", form, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct);
        Assert.Equal("people.xlsx", queued!.FileName);
        var finished = await api.WaitForBatchAsync(client, queued.Id);
        Assert.Equal((BatchState.Completed, 2), (finished.State, finished.Counts.Succeeded));
        await using var db = api.Factory.CreateDbContext();
        Assert.Equal(2, await db.Accounts.CountAsync(a => users.Contains(a.NormalizedUsername), Ct));
    }

    [Fact]
    public async Task TheXlsxTemplateUploadsBackWithAValidExampleRow()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var template = await client.GetAsync($"/api/v1/organizations/{sales}/template.xlsx", Ct);
        template.EnsureSuccessStatusCode();
        Assert.Equal(XlsxTemplate.ContentType, template.Content.Headers.ContentType?.MediaType);
        var bytes = await template.Content.ReadAsByteArrayAsync(Ct);
        var result = await (await client.PostAsync($"/api/v1/organizations/{sales}/imports/validate", Workbook(bytes), Ct))
            .Content.ReadFromJsonAsync<ApiValidation>(ApiFixture.Json, Ct);

        Assert.Empty(result!.FileErrors);
        Assert.Empty(result.FileWarnings);
        Assert.Equal((1, 1), (result.Counts.Total, result.Counts.Valid));
    }

    [Fact]
    public async Task TemplateWithNumbersHoldsTheOrganizationsFirstAvailableNumbersAndRefusesMoreThanItHas()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        await using var db = api.Factory.CreateDbContext();
        var available = await db.Numbers.Where(NumberRules.FreeIn(sales)).OrderBy(n => n.E164).Select(n => n.E164).ToListAsync(Ct);

        var csv = await client.GetStringAsync($"/api/v1/organizations/{sales}/template.csv?numbers=2", Ct);
        var tooMany = await client.GetAsync($"/api/v1/organizations/{sales}/template.xlsx?numbers={available.Count + 1}", Ct);

        var rows = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[2..];
        Assert.Equal(available.Take(2), rows.Select(r => r.Split(',')[4]));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task TemplateWithNoOrANegativeCountOfNumbersIsRefusedWithTheRange(int numbers)
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var response = await client.GetAsync($"/api/v1/organizations/{sales}/template.xlsx?numbers={numbers}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Choose between 1 and 1,000 numbers", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task ARefusedImportAnswers422WithTheRepairsProposedAsValidateDoes()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var workbook = W.Create().Sheet("People", [W.Header, W.Row(ApiCsv.Unique("repair"), forwarding: W.Number(14155550166))]).ToBytes();

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports", Workbook(workbook), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var repair = Assert.Single(problem.RootElement.GetProperty("repairs").EnumerateArray());
        Assert.Equal(("14155550166", "+14155550166"), (repair.GetProperty("original").GetString(), repair.GetProperty("proposed").GetString()));
    }
}
