using MultiLine.Core.Common;
using MultiLine.Core.Numbers;

namespace MultiLine.Core.Imports;

/// <summary>One data row after every check: spreadsheet row number, the cells as read, the draft when valid, its problems.</summary>
public sealed record ImportRow(int RowNumber, AccountInput Values, AccountDraft? Draft, IReadOnlyList<ImportProblem> Problems)
{
    /// <summary>No error (warnings allowed): the row will be imported.</summary>
    public bool IsValid => Draft is not null;

    public bool HasWarnings => Problems.Any(p => !p.IsError);

    /// <summary>Phone values a spreadsheet damaged, with the repair proposed (<see cref="SpreadsheetDamage"/>); none applied.</summary>
    public IReadOnlyList<SpreadsheetRepair> Repairs { get; init; } = [];
}

/// <summary>How many rows were read and how they fared.</summary>
public sealed record ImportCounts(int Total, int Valid, int Invalid, int WithWarnings);

/// <summary>Whether "Import &amp; Invite" can promise every valid row without a number one of the organization's numbers.</summary>
public sealed record ImportCapacity(int RowsWithoutNumber, FreeCapacity FreeCapacity)
{
    public bool CanImportAndInvite => FreeCapacity.Covers(RowsWithoutNumber);

    /// <summary>E.g. "38 rows without a number; 120 Available numbers, 0 pending accounts waiting for a number: free capacity 120."</summary>
    public string Message
    {
        get
        {
            var text = $"{Words.Count(RowsWithoutNumber, "row")} without a number; {FreeCapacity.Describe()}.";
            return CanImportAndInvite
                ? text
                : text + " Import & Invite needs free capacity for every row without a number: use Import, or add numbers to the organization first.";
        }
    }
}

/// <summary>
/// Everything the admin sees before committing an upload. A file error (unreadable file, missing columns, too many rows)
/// leaves no row usable; otherwise valid rows import and invalid ones are reported.
/// </summary>
public sealed record ImportValidationResult(
    IReadOnlyList<ImportProblem> FileProblems,
    IReadOnlyList<ImportRow> Rows,
    string? Sha256,
    ImportCapacity? Capacity)
{
    public ImportCounts Counts { get; } = new(
        Rows.Count,
        Rows.Count(r => r.IsValid),
        Rows.Count(r => !r.IsValid),
        Rows.Count(r => r.HasWarnings));

    public IEnumerable<ImportProblem> FileErrors => FileProblems.Where(p => p.IsError);

    public IEnumerable<ImportProblem> FileWarnings => FileProblems.Where(p => !p.IsError);

    public bool HasFileErrors => FileProblems.Any(p => p.IsError);

    /// <summary>"Import" is possible: the file could be read and at least one row is valid.</summary>
    public bool CanImport => !HasFileErrors && Counts.Valid > 0;

    /// <summary>"Import &amp; Invite" is possible: <see cref="CanImport"/> and enough free capacity.</summary>
    public bool CanImportAndInvite => CanImport && Capacity is { CanImportAndInvite: true };

    public IEnumerable<ImportRow> ValidRows => Rows.Where(r => r.IsValid);

    /// <summary>Every row problem, in row order, for a list of what to fix.</summary>
    public IEnumerable<ImportProblem> RowProblems => Rows.SelectMany(r => r.Problems);

    /// <summary>Every repair proposed for a damaged phone value, in row order.</summary>
    public IEnumerable<SpreadsheetRepair> Repairs => Rows.SelectMany(r => r.Repairs);
}
