using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace MultiLine.Core.Imports;

/// <summary>
/// How the bytes of an uploaded file are text: a BOM decides (UTF-8, UTF-16 LE/BE); without one, a file with any valid
/// UTF-8 multi-byte sequence is UTF-8, and one whose bytes above 127 are never valid UTF-8 is Windows-1252, what Excel
/// writes for "CSV (comma delimited)" on Western Windows. Also recognizes files that are not text at all.
/// </summary>
/// <remarks>
/// A UTF-8 file damaged by a few foreign bytes (a value pasted from a Windows-1252 file) stays UTF-8: its invalid bytes
/// read as U+FFFD and the cells holding them are errors on their rows, instead of every accent of the file turning into
/// mojibake without a word. Real Windows-1252 names practically never form valid UTF-8 sequences.
/// </remarks>
internal static class CsvEncodingDetection
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static Encoding Windows1252 { get; } = LoadWindows1252();

    // Code pages ship in-box but must be registered before the first GetEncoding(1252); a static field initializer runs
    // before a static constructor body, so the registration lives here.
    private static Encoding LoadWindows1252()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }

    public static (Encoding Encoding, int BomLength) Detect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            return (Utf8, 3);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            return (Encoding.Unicode, 2);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return (Encoding.BigEndianUnicode, 2);
        if (LooksLikeUtf16WithoutBom(bytes, out var utf16))
            return (utf16!, 0);
        return (IsUtf8(bytes) ? Utf8 : Windows1252, 0);
    }

    /// <summary>Valid UTF-8, or holds at least one valid multi-byte UTF-8 sequence among invalid bytes.</summary>
    private static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
            return true;
        while (bytes.IndexOfAnyExceptInRange((byte)0, (byte)0x7F) is var next and >= 0)
        {
            bytes = bytes[next..];
            if (Rune.DecodeFromUtf8(bytes, out _, out var consumed) == OperationStatus.Done)
                return true;
            bytes = bytes[consumed..];
        }
        return false;
    }

    /// <summary>How much of the start of a file, decoded, the checks of its kind and header look at.</summary>
    public const int SampleBytes = 8192;

    /// <summary>
    /// Why the file is not CSV text (an old workbook, binary data), judged from its bytes and its decoded start; null for
    /// text. A zip never gets here: <see cref="CsvFileReader"/> reads it as an Excel workbook.
    /// </summary>
    public static string? NotTextReason(ReadOnlySpan<byte> bytes, string decodedStart)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
            return "This is an Excel 97-2003 workbook (.xls), not a CSV file. In Excel choose File > Save As > \"CSV UTF-8 (Comma delimited)\" or \"Excel Workbook (.xlsx)\" and upload that file.";

        // A few control characters (a NUL pasted into a name) are errors on their rows; many are a binary file.
        var control = 0;
        foreach (var c in decodedStart)
        {
            if (CellText.IsControl(c))
                control++;
        }
        return control > Math.Max(8, decodedStart.Length / 100) ? BinaryMessage : null;
    }

    private const string BinaryMessage =
        "The file is not a CSV text file (it holds binary data). Save it from your spreadsheet as \"CSV UTF-8\" and upload it again.";

    // Excel's "Unicode text" always has a BOM; this catches the odd tool that drops it: ASCII text with every other byte NUL.
    private static bool LooksLikeUtf16WithoutBom(ReadOnlySpan<byte> bytes, out Encoding? encoding)
    {
        encoding = null;
        var sample = bytes[..(Math.Min(bytes.Length, 512) & ~1)];
        if (sample.Length < 4)
            return false;
        int evenNul = 0, oddNul = 0;
        for (var i = 0; i < sample.Length; i += 2)
        {
            if (sample[i] == 0) evenNul++;
            if (sample[i + 1] == 0) oddNul++;
        }
        var pairs = sample.Length / 2;
        if (oddNul == pairs && evenNul == 0)
            encoding = Encoding.Unicode;
        else if (evenNul == pairs && oddNul == 0)
            encoding = Encoding.BigEndianUnicode;
        return encoding is not null;
    }
}
