using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MultiLine.Core.Persistence;

/// <summary>Stores every <see cref="DateTime"/> as UTC and reads it back with <see cref="DateTimeKind.Utc"/>, on every engine.</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => ToUtc(value),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc))
{
    /// <summary>Local times are converted; Unspecified ones are taken to be UTC already, as the whole code base writes them.</summary>
    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
