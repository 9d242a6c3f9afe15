using MultiLine.Core.Common;

namespace MultiLine.Web.Api;

/// <summary>Small readings of query strings and callers shared by the endpoint groups.</summary>
internal static class ApiRequest
{
    public const int DefaultPageSize = 50;

    /// <summary>1-based page and a size of 1 to <see cref="PageRequest.MaxPageSize"/>.</summary>
    public static PageRequest Paging(int? page, int? pageSize) =>
        new(Math.Max(page ?? 1, 1) - 1, Math.Clamp(pageSize ?? DefaultPageSize, 1, PageRequest.MaxPageSize));

    /// <summary>Parses an optional enum filter by name, case-insensitively; the error lists the accepted values.</summary>
    public static bool TryEnum<T>(string? text, string parameter, out T? value, out IResult? error) where T : struct, Enum
    {
        value = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        if (Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _))
        {
            value = parsed;
            return true;
        }
        error = ApiProblems.BadRequest($"{parameter}: \"{text}\" is not one of {string.Join(", ", Enum.GetNames<T>())}.");
        return false;
    }

    /// <summary>The caller as the activity record names them: the token's admin, the client address, source API.</summary>
    public static Task<Core.Activity.ActivityActor> ActorAsync(HttpContext http) => http.RequestServices.GetRequiredService<Core.Admins.ICurrentAdmin>().GetActorAsync();
}
