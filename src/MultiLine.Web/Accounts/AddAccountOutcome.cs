namespace MultiLine.Web.Accounts;

/// <summary>What the Add Account dialog did: added one account, or queued a batch. <see cref="NoteIsWarning"/>: the note says what went wrong.</summary>
public sealed record AddAccountOutcome(int? AccountId, int? BatchId, string? Note, bool NoteIsWarning = false);
