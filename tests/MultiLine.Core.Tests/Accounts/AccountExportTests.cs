using System.Data;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Persistence;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Accounts;

public sealed class AccountExportTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);
    private readonly ImportWorld _world = new();

    private MultiLineDbContext Scoped(AdminScope scope) => new MultiLineDbContext(_world.Database.Options).WithScope(scope);

    private async Task<string> ExportAsync(AccountExportRequest request, AdminScope? scope = null)
    {
        await using var db = Scoped(scope ?? _world.AcmeAdmin);
        var file = await AccountExport.PrepareAsync(db, request, Now, Ct);
        using var output = new MemoryStream();
        await AccountExport.WriteAsync(db, file!, output, Ct);
        var bytes = output.ToArray();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
    }

    private static string[] Lines(string text) => text.Split("\r\n");

    [Fact]
    public async Task TheExportStartsWithTheHeaderBlockThenTheTemplatesColumnNames()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Invited);
        await using (var db = _world.Database.CreateDbContext())
        {
            var account = await db.Accounts.SingleAsync(a => a.Id == id, Ct);
            (account.FirstName, account.LastName, account.Language, account.MonitorCalls, account.SocialMessaging) = ("Jane", "Doe", Language.Italian, MonitorCalls.Auto, true);
            await db.SaveChangesAsync(Ct);
        }

        var lines = Lines(await ExportAsync(new AccountExportRequest(new AccountSearch(OrganizationId: _world.Acme.Id, IncludeSubOrganizations: true), TimeZone: "Europe/Rome")));

        Assert.Equal("# Report: MultiLine accounts", lines[0]);
        Assert.Equal("# Generated: 2026-11-26 10:30 Europe/Rome (UTC+01:00)", lines[1]);
        Assert.Equal("# Organization: Acme and its sub-organizations", lines[2]);
        Assert.Equal("# Filter: none", lines[3]);
        Assert.Equal("", lines[4]);
        Assert.Equal("firstname,lastname,email address or device,organization,status,multiline_number,permission_group,invitation_sent,activation_date,"
            + "monitor_calls,monitor_sms,social_messaging,restrict_incoming_social_messaging,language", lines[5]);
        Assert.Equal("Jane,Doe,jane@acme.example,Acme,Invited,,Standard,,,auto,off,Yes,false,Italian", lines[6]);
    }

    [Fact]
    public async Task TheFileIsNamedAfterTheOrganizationAndTheDayInTheAdminsTimeZone()
    {
        await using var db = Scoped(_world.AcmeAdmin);

        var filtered = await AccountExport.PrepareAsync(db, new AccountExportRequest(new AccountSearch(OrganizationId: _world.Team.Id)), Now, Ct);
        var late = await AccountExport.PrepareAsync(db, new AccountExportRequest(new AccountSearch(), TimeZone: "Pacific/Kiritimati"), Now.AddHours(14), Ct);
        var foreign = await AccountExport.PrepareAsync(db, new AccountExportRequest(new AccountSearch(OrganizationId: _world.Other.Id)), Now, Ct);

        Assert.Equal("accounts-team-2026-11-26.csv", filtered!.FileName);
        Assert.Equal("Team", filtered.Organization);
        Assert.Equal("accounts-acme-2026-11-27.csv", late!.FileName);
        Assert.Equal("Acme and its sub-organizations (all in your scope)", late.Organization);
        Assert.Null(foreign);
    }

    [Fact]
    public async Task AnUnknownTimeZoneWritesTimesInUtcAndSaysSo()
    {
        var text = await ExportAsync(new AccountExportRequest(new AccountSearch(), TimeZone: "Mars/Olympus_Mons"));

        Assert.Equal("# Generated: 2026-11-26 09:30 UTC (UTC+00:00)", Lines(text)[1]);
    }

    [Fact]
    public async Task CellsThatASpreadsheetWouldRunAsFormulasAreNeutralized()
    {
        var id = _world.AddAccount(_world.Acme, "+14155550123");
        await using (var db = _world.Database.CreateDbContext())
        {
            var account = await db.Accounts.SingleAsync(a => a.Id == id, Ct);
            (account.FirstName, account.LastName) = ("=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(A1)");
            await db.SaveChangesAsync(Ct);
        }

        var row = Lines(await ExportAsync(new AccountExportRequest(new AccountSearch())))[6];

        Assert.StartsWith("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'@SUM(A1),'+14155550123,Acme,Not invited,", row);
    }

    [Fact]
    public async Task TheExportHoldsTheFilteredAccountsInTheTablesOrderAndNothingOutsideTheScope()
    {
        _world.AddAccounts(_world.Acme, ["b@acme.example", "a@acme.example", "c@acme.example"]);
        _world.AddAccount(_world.Acme, "active@acme.example", AccountStatus.Active);
        _world.AddAccount(_world.Other, "a@other.example");

        var text = await ExportAsync(new AccountExportRequest(new AccountSearch(Status: AccountStatus.NotInvited), "Username"));

        Assert.Equal(["a@acme.example", "b@acme.example", "c@acme.example"], Lines(text)[6..^1].Select(l => l.Split(',')[2]));
        Assert.Equal("# Filter: status Not invited; sorted by username", Lines(text)[3]);
    }

    [Fact]
    public async Task ManyAccountsAreWrittenToTheOutputWhileTheQueryIsStillReadingThem()
    {
        _world.AddAccounts(_world.Acme, Enumerable.Range(0, 20_000).Select(i => $"user{i:D5}@acme.example"));
        await using var db = Scoped(_world.AcmeAdmin);
        var file = await AccountExport.PrepareAsync(db, new AccountExportRequest(new AccountSearch()), Now, Ct);
        var connection = db.Database.GetDbConnection();
        var output = new WatchingStream(() => connection.State);

        await AccountExport.WriteAsync(db, file!, output, Ct);

        // Rows read into a list first would close the connection before the first write; streamed rows go out with it open.
        Assert.True(output.Writes > 10, $"{output.Writes} writes");
        Assert.Equal(ConnectionState.Open, output.FirstWriteState);
        Assert.Equal(20_000 + 7, Encoding.UTF8.GetString(output.ToArray()).Split("\r\n").Length);
    }

    public void Dispose() => _world.Dispose();

    private sealed class WatchingStream(Func<ConnectionState> state) : MemoryStream
    {
        public int Writes { get; private set; }
        public ConnectionState? FirstWriteState { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer) { Seen(); base.Write(buffer); }
        public override void Write(byte[] buffer, int offset, int count) { Seen(); base.Write(buffer, offset, count); }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) { Seen(); return base.WriteAsync(buffer, offset, count, cancellationToken); }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) { Seen(); return base.WriteAsync(buffer, cancellationToken); }

        private void Seen()
        {
            Writes++;
            FirstWriteState ??= state();
        }
    }
}
