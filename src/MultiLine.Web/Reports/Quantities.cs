namespace MultiLine.Web.Reports;

/// <summary>Counts with their noun in the right number: "1 row", "1,000 rows". English plurals with an "s" only.</summary>
public static class Quantities
{
    public static string Of(long count, string singular) => $"{count:N0} {Noun(count, singular)}";

    public static string Noun(long count, string singular) => count == 1 ? singular : singular + "s";
}
