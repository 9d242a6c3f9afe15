namespace MultiLine.Web.ScaleOut;

/// <summary>
/// Redis, for deployments of several instances: the SignalR backplane and the bus for live batch events. Empty (the
/// default) means one instance, or PostgreSQL's LISTEN/NOTIFY for the events when the database is PostgreSQL.
/// </summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis:6379</c> or <c>redis:6379,password=…,ssl=true</c>.</summary>
    public string? ConnectionString { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);
}
