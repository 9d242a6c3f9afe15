using System.Globalization;
using System.Text;
using MultiLine.Core.Accounts;

namespace MultiLine.Benchmarks.Pipeline;

/// <summary>One account of the bench's files, as the raw floor inserts it.</summary>
public sealed record BenchAccount(string FirstName, string LastName, string Username, bool SocialMessaging, MonitorCalls MonitorCalls, MonitorSms MonitorSms, Language Language);

/// <summary>The CSV files the bench uploads, in the organization's template columns.</summary>
public static class BenchCsv
{
    public const string Header =
        "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language\r\n";

    /// <summary>The domain of every bench account; the invitations the bench waits for go to it.</summary>
    public const string Domain = "bench.sales.acme.example";

    private static readonly string[] FirstNames = ["Ava", "Liam", "Sofia", "Noah", "Chloé", "Mateo", "Lena", "Hugo", "Giulia", "Théo"];
    private static readonly string[] LastNames = ["Rossi", "Müller", "Martin", "García", "Smith", "Bianchi", "Dubois", "Núñez", "Weber", "López"];

    /// <summary>New accounts with email usernames, every one valid for Import &amp; Invite.</summary>
    public static IEnumerable<BenchAccount> Accounts(int rows, string prefix)
    {
        for (var i = 0; i < rows; i++)
            yield return new BenchAccount(
                FirstNames[i % FirstNames.Length],
                $"{LastNames[i / FirstNames.Length % LastNames.Length]} {i}",
                $"{prefix}.user{i}@{Domain}",
                i % 3 == 0,
                i % 2 == 0 ? MonitorCalls.Auto : MonitorCalls.Off,
                i % 4 == 0 ? MonitorSms.On : MonitorSms.Off,
                (Language)(i % 5));
    }

    public static byte[] Import(IEnumerable<BenchAccount> accounts)
    {
        var text = new StringBuilder(Header);
        foreach (var a in accounts)
            text.Append(CultureInfo.InvariantCulture,
                $"{a.FirstName},{a.LastName},{a.Username},{(a.SocialMessaging ? "Yes" : "No")},,{(a.MonitorCalls == MonitorCalls.Auto ? "auto" : "off")},{(a.MonitorSms == MonitorSms.On ? "on" : "off")},,false,{a.Language}\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// A file as admins upload them, for the validation scenario: mostly new email accounts; every 10th names one of
    /// the organization's Available numbers, every 20th has a phone-number username, every 50th an existing username.
    /// </summary>
    public static byte[] Mixed(int rows, IReadOnlyList<string> availableNumbers, IReadOnlyList<string> existingUsernames)
    {
        var text = new StringBuilder(Header);
        var accounts = Accounts(rows, "check").ToList();
        for (var i = 0; i < rows; i++)
        {
            var a = accounts[i];
            var username = i % 50 == 0 ? existingUsernames[i / 50 % existingUsernames.Count]
                : i % 20 == 0 ? $"+4420{i:D8}"
                : a.Username;
            var number = i % 10 == 0 && i / 10 < availableNumbers.Count ? availableNumbers[i / 10] : "";
            text.Append(CultureInfo.InvariantCulture,
                $"{a.FirstName},{a.LastName},{username},{(a.SocialMessaging ? "Yes" : "No")},{number},{(a.MonitorCalls == MonitorCalls.Auto ? "auto" : "off")},{(a.MonitorSms == MonitorSms.On ? "on" : "off")},,false,{a.Language}\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
