using System.Text;
using Microsoft.Extensions.Options;
using MultiLine.Core.Imports;

namespace MultiLine.Core.Tests.Imports;

/// <summary>The test corpus, generated in code: CSV text in the encodings and shapes real spreadsheets produce.</summary>
internal static class CsvFiles
{
    public const string Header =
        "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language";

    // Straight from the provider, without registering it: the reader must register code pages itself.
    public static Encoding Windows1252 => CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    public static string Row(string username, string first = "Jane", string last = "Doe", string social = "No", string number = "",
        string calls = "auto", string sms = "on", string forwarding = "", string restrict = "", string language = "English") =>
        string.Join(',', first, last, username, social, number, calls, sms, forwarding, restrict, language);

    public static string Lines(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    /// <summary>Text in an encoding, with or without its BOM.</summary>
    public static byte[] Bytes(string text, Encoding encoding, bool bom)
    {
        var body = encoding.GetBytes(text);
        return bom ? [.. encoding.GetPreamble(), .. body] : body;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static CsvFileReader Reader(int maxRows = 1000, long maxFileBytes = 5 * 1024 * 1024) =>
        new(Options.Create(new ImportOptions { MaxRows = maxRows, MaxFileBytes = maxFileBytes }));

    public static Task<CsvReadResult> ReadAsync(byte[] bytes, CsvFileReader? reader = null) =>
        (reader ?? Reader()).ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken);

    public static Task<CsvReadResult> ReadAsync(string text, CsvFileReader? reader = null) => ReadAsync(Utf8(text), reader);

    /// <summary>A stream that cannot seek or tell its length, like an upload read from the network.</summary>
    public sealed class NetworkStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
