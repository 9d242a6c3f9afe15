namespace MultiLine.Core.Numbers;

/// <summary>The state changes a number may go through, as plain rules the services and tests share.</summary>
public static class NumberRules
{
    /// <summary>A CSV row may name an Available number; an admin may also hand out a Reserved one.</summary>
    public static bool CanBeTakenBy(NumberState state, bool byAdmin) =>
        state == NumberState.Available || (byAdmin && state == NumberState.Reserved);

    public static NumberChange Reserve(MultiLineNumber number, string tag)
    {
        if (number.State != NumberState.Available)
            return NumberChange.Refused($"{number.E164} is {Describe(number.State)}; only an available number can be reserved.");
        if (string.IsNullOrWhiteSpace(tag))
            return NumberChange.Refused("A reservation needs a tag, such as PORTED.");
        number.State = NumberState.Reserved;
        number.ReservationTag = tag.Trim().ToUpperInvariant();
        return NumberChange.Done;
    }

    public static NumberChange Unreserve(MultiLineNumber number)
    {
        if (number.State != NumberState.Reserved)
            return NumberChange.Refused($"{number.E164} is not reserved.");
        number.State = NumberState.Available;
        number.ReservationTag = null;
        return NumberChange.Done;
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
