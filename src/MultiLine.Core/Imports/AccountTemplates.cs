using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Imports;

/// <summary>The template's file formats: the CSV and the Excel workbook.</summary>
public enum TemplateFormat { Csv, Xlsx }

/// <summary>A template ready to download: its name, content type and bytes, and the organization it was made for.</summary>
public sealed record TemplateFile(int OrganizationId, string OrganizationName, string FileName, string ContentType, byte[] Content);

/// <summary>A template could not be made: the organization is not in the scope (<see cref="NotFound"/>), or the count of numbers cannot be served.</summary>
public sealed record TemplateRefusal(bool NotFound, string Message);

/// <summary>
/// Makes the account template for the page's links and the API alike: CSV or .xlsx, plain (an example row) or, for
/// "Template with numbers", pre-filled with N of the organization's Available numbers in ascending order, read in the
/// admin's scope. N is at most the Available numbers and the import's row limit.
/// </summary>
public sealed class AccountTemplates(IOptions<ImportOptions> options)
{
    private readonly ImportOptions _limits = options.Value;

    public async Task<(TemplateFile? File, TemplateRefusal? Refusal)> CreateAsync(
        MultiLineDbContext scopedDb, int organizationId, TemplateFormat format, int? numbers, CancellationToken cancellationToken = default)
    {
        var organization = await scopedDb.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return (null, new TemplateRefusal(true, "The organization does not exist or is outside your scope."));
        IReadOnlyList<string>? filled = null;
        if (numbers is { } count)
        {
            if (count < 1 || count > _limits.MaxRows)
                return (null, new TemplateRefusal(false, $"Choose between 1 and {_limits.MaxRows:N0} numbers: one file holds at most {Words.Count(_limits.MaxRows, "account")}."));
            filled = await AvailableNumbersAsync(scopedDb, organization.Id, count, cancellationToken);
            if (filled.Count == 0)
                return (null, new TemplateRefusal(false, $"{organization.Name} has no Available number. Add numbers to the organization first."));
            if (filled.Count < count)
                return (null, new TemplateRefusal(false, $"{organization.Name} has {Words.Count(filled.Count, "Available number")}; choose at most {filled.Count:N0}."));
        }
        return (format == TemplateFormat.Xlsx
            ? From(organization, XlsxTemplate.For(organization, _limits.MaxRows, filled))
            : From(organization, CsvTemplate.For(organization, filled)), null);
    }

    /// <summary>How many numbers the admin may ask for: the organization's Available numbers, at most the row limit.</summary>
    public async Task<int> MostNumbersAsync(MultiLineDbContext scopedDb, int organizationId, CancellationToken cancellationToken = default) =>
        Math.Min(_limits.MaxRows, await Offered(scopedDb, organizationId).CountAsync(cancellationToken));

    /// <summary>
    /// The organization's first <paramref name="count"/> Available numbers, ascending E.164, so the same request gives the
    /// same file. A template does not hold its numbers (nothing is written until an import is committed): two templates
    /// made before either is imported share numbers, and the second import's rows are refused with the reason.
    /// </summary>
    public static async Task<IReadOnlyList<string>> AvailableNumbersAsync(MultiLineDbContext scopedDb, int organizationId, int count, CancellationToken cancellationToken = default) =>
        await Offered(scopedDb, organizationId).OrderBy(n => n.E164).Select(n => n.E164).Take(count).ToListAsync(cancellationToken);

    /// <summary>
    /// Available numbers not already named by a row of a batch still waiting to run: those will be taken by that batch, so
    /// a template offering them would be refused at its own import.
    /// </summary>
    private static IQueryable<MultiLineNumber> Offered(MultiLineDbContext scopedDb, int organizationId)
    {
        var unfinished = scopedDb.Batches.Where(b => b.State == BatchState.Queued || b.State == BatchState.Running).Select(b => b.Id);
        var named = scopedDb.BatchRows
            .Where(r => unfinished.Contains(r.BatchOperationId) && r.Outcome == RowOutcome.Pending && r.MultiLineNumber != null)
            .Select(r => r.MultiLineNumber);
        return scopedDb.Numbers.AsNoTracking().Where(NumberRules.FreeIn(organizationId)).Where(n => !named.Contains(n.E164));
    }

    private static TemplateFile From(Organizations.Organization organization, CsvTemplate template) =>
        new(organization.Id, organization.Name, template.FileName, "text/csv; charset=utf-8", template.ToBytes());

    private static TemplateFile From(Organizations.Organization organization, XlsxTemplate template) =>
        new(organization.Id, organization.Name, template.FileName, XlsxTemplate.ContentType, template.Content);
}
