namespace MultiLine.Core.Numbers;

/// <summary>The state changes a number may go through, as plain rules the services and tests share.</summary>
public static class NumberRules
{
    /// <summary>A CSV row may name an Available number; an admin may also hand out a Reserved one.</summary>
    public static bool CanBeTakenBy(NumberState state, bool byAdmin) =>
        state == NumberState.Available || (byAdmin && state == NumberState.Reserved);

    /// <summary>A reservation tag such as PORTED: required, upper-cased, at most 40 characters.</summary>
    public static bool TryNormalizeTag(string? tag, out string? normalized, out string? error)
    {
        normalized = tag?.Trim().ToUpperInvariant();
        error = string.IsNullOrEmpty(normalized) ? "A reservation needs a tag, such as PORTED."
            : normalized.Length > 40 ? "A reservation tag has at most 40 characters."
            : null;
        return error is null;
    }

    /// <summary>Puts a number back to Available, whatever held it.</summary>
    public static void Release(MultiLineNumber number)
    {
        number.State = NumberState.Available;
        number.AccountId = null;
        number.ReservationTag = null;
    }

    public static string Describe(NumberState state) => state switch
    {
        NumberState.Available => "available",
        NumberState.Reserved => "reserved",
        NumberState.Assigned => "assigned to an account",
        NumberState.Registered => "registered to an active account",
        _ => state.ToString(),
    };
}

public sealed record NumberChange(bool Succeeded, string? Error)
{
    public static readonly NumberChange Done = new(true, null);
    public static NumberChange Refused(string error) => new(false, error);
}
