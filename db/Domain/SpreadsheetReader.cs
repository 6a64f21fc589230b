using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using Sylvan.Data.Csv;

namespace Cho40.Db.Domain;

public enum SpreadsheetKind { Csv, Xlsx }

/// <summary>
/// What reading one uploaded spreadsheet may cost. Every bound holds whatever the file claims about itself: an XLSX
/// <c>&lt;dimension&gt;</c> is never read, a zip entry's declared size is checked and its inflated bytes are counted too.
/// </summary>
public sealed record SpreadsheetLimits
{
    /// <summary>Columns read (A… up to this many); cells further right are skipped unread by the caller.</summary>
    public int MaxColumns { get; init; } = 64;

    /// <summary>Rows read (blank ones included); the next one ends the read with <see cref="SpreadsheetLimit.Rows"/>.</summary>
    public int MaxRows { get; init; } = 10_000;

    /// <summary>Uncompressed bytes of any one part (zip entry) of an XLSX.</summary>
    public long MaxPartBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Entries in the zip (a real workbook has a dozen or so).</summary>
    public int MaxEntries { get; init; } = 1_000;

    /// <summary>Entries of the shared-strings table, and their characters in total: kept in memory, never on disk.</summary>
    public int MaxSharedStrings { get; init; } = 200_000;

    public long MaxSharedStringChars { get; init; } = 16L * 1024 * 1024;

    /// <summary>Characters of one cell (Excel's own limit is 32,767).</summary>
    public int MaxCellChars { get; init; } = 32_767;

    /// <summary>Wall-clock time for the whole read.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How a cell holding a date (an Excel date serial with a date format) is written.</summary>
    public string DateFormat { get; init; } = "yyyy-MM-dd";

    /// <summary>How a number is written; null: whole numbers as digits, others round-trip ("R").</summary>
    public string? NumberFormat { get; init; }
}

public enum SpreadsheetLimit { Rows, PartSize, Entries, SharedStrings, CellLength, Time }

/// <summary>A read went past one of its <see cref="SpreadsheetLimits"/>; the message says which, in Vietnamese.</summary>
public sealed class SpreadsheetLimitException(SpreadsheetLimit limit, string message) : Exception(message)
{
    public SpreadsheetLimit Limit { get; } = limit;
}

/// <summary>The content is not a spreadsheet this reader can read (a broken zip or XML, a CSV that is not UTF-8, …).</summary>
public sealed class SpreadsheetFormatException(string message, bool notUtf8 = false, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>A CSV whose bytes are not UTF-8 (Excel's "CSV" in a Windows code page).</summary>
    public bool NotUtf8 { get; } = notUtf8;
}

/// <summary>One row: its number as the spreadsheet shows it (1-based), and its cells' text from column A (trailing blanks omitted).</summary>
public sealed record SpreadsheetRow(int Number, string[] Cells);

/// <summary>
/// Reads an uploaded XLSX or CSV into rows of text, streaming, within <see cref="SpreadsheetLimits"/>, honouring a
/// cancellation token (the request's, the host's shutdown) as it goes. Formats (the listing file, carriers' COD
/// statements) sit on top: they find their header among the rows and map columns.
/// <para>
/// XLSX is read with System.IO.Compression and a forward-only XmlReader over the parts it needs (the first sheet, the
/// shared strings, the styles for dates) — not with MiniExcel, which sizes every row from the sheet's
/// <c>&lt;dimension&gt;</c> (A1:XFD… = 16,384 cells a row) and spills large shared-string tables to temporary files.
/// CSV is read with Sylvan.Data.Csv (delimiter detected), strictly as UTF-8 unless a byte-order mark says otherwise.
/// </para>
/// </summary>
public static class SpreadsheetReader
{
    /// <summary>A zip (PK\3\4) is read as XLSX, anything else as CSV.</summary>
    public static SpreadsheetKind KindOf(ReadOnlySpan<byte> start) =>
        start.Length >= 4 && start[0] == 'P' && start[1] == 'K' && start[2] == 3 && start[3] == 4 ? SpreadsheetKind.Xlsx : SpreadsheetKind.Csv;

    /// <summary>
    /// The rows, lazily. Throws (while enumerating) <see cref="SpreadsheetLimitException"/>, <see cref="SpreadsheetFormatException"/>
    /// or <see cref="OperationCanceledException"/>, nothing else. XLSX needs a seekable stream.
    /// </summary>
    public static IEnumerable<SpreadsheetRow> Read(Stream content, SpreadsheetLimits limits, CancellationToken cancellationToken)
    {
        var guard = new Guard(limits, cancellationToken);
        var start = new byte[4];
        var position = content.CanSeek ? content.Position : 0;
        var read = content.CanSeek ? content.ReadAtLeast(start, 4, throwOnEndOfStream: false) : 0;
        if (content.CanSeek) content.Position = position;
        var kind = KindOf(start.AsSpan(0, read));
        using var rows = (kind == SpreadsheetKind.Xlsx ? ReadXlsx(content, limits, guard) : ReadCsv(content, start.AsSpan(0, read), limits, guard))
            .GetEnumerator();
        while (true)
        {
            bool more;
            try
            {
                more = rows.MoveNext();
            }
            catch (XmlException e)
            {
                throw new SpreadsheetFormatException("Tệp Excel hỏng: không đọc được nội dung.", inner: e);
            }
            catch (InvalidDataException e)
            {
                throw new SpreadsheetFormatException("Tệp không phải bảng tính Excel (.xlsx) đọc được.", inner: e);
            }
            catch (DecoderFallbackException e)
            {
                throw new SpreadsheetFormatException("Tệp CSV phải lưu dạng UTF-8.", notUtf8: true, inner: e);
            }
            catch (CsvRecordTooLargeException e)
            {
                throw new SpreadsheetFormatException("Tệp CSV có một dòng quá dài.", inner: e);
            }
            catch (CsvFormatException e)
            {
                throw new SpreadsheetFormatException("Tệp CSV sai định dạng.", inner: e);
            }
            catch (Exception e) when (e is IOException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException
                                          && e is not OperationCanceledException)
            {
                throw new SpreadsheetFormatException("Không đọc được tệp.", inner: e);
            }
            if (!more) yield break;
            yield return rows.Current;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Bounds
    // ---------------------------------------------------------------------------------------------

    /// <summary>The deadline and the caller's cancellation, checked as bytes are read and as rows and cells go by.</summary>
    private sealed class Guard(SpreadsheetLimits limits, CancellationToken cancellationToken)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private int ticks;

        public SpreadsheetLimits Limits => limits;

        public void Check()
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (clock.Elapsed > limits.Timeout)
                throw new SpreadsheetLimitException(SpreadsheetLimit.Time,
                    $"Đọc tệp mất quá {limits.Timeout.TotalSeconds:0} giây: tệp có quá nhiều ô. Hãy xoá các trang, cột, dòng thừa hoặc chia nhỏ tệp.");
        }

        /// <summary>A cheap check for tight loops: the real one every 256 calls.</summary>
        public void Tick()
        {
            if ((++ticks & 0xFF) == 0) Check();
        }
    }

    /// <summary>Counts the bytes read from an inflating zip entry (its header may lie) and checks the guard on every read.</summary>
    private sealed class GuardedStream(Stream inner, long maxBytes, Guard guard, string part) : Stream
    {
        private long total;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            guard.Check();
            var n = inner.Read(buffer);
            total += n;
            if (total > maxBytes) throw PartTooLarge(part, maxBytes);
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => total; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private static SpreadsheetLimitException PartTooLarge(string part, long maxBytes) =>
        new(SpreadsheetLimit.PartSize,
            $"Tệp Excel khi giải nén lớn hơn {maxBytes / (1024 * 1024)} MB (phần {part}): hãy xoá các trang, cột, dòng thừa hoặc chia nhỏ tệp.");

    private static SpreadsheetLimitException TooManyRows(int maxRows) =>
        new(SpreadsheetLimit.Rows, $"Tệp có hơn {maxRows.ToString("N0", Vietnamese)} dòng: hãy chia nhỏ tệp.");

    private static SpreadsheetLimitException CellTooLong(int maxChars) =>
        new(SpreadsheetLimit.CellLength, $"Có ô dài hơn {maxChars.ToString("N0", Vietnamese)} ký tự: hãy rút gọn.");

    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    // ---------------------------------------------------------------------------------------------
    // CSV
    // ---------------------------------------------------------------------------------------------

    private static IEnumerable<SpreadsheetRow> ReadCsv(Stream content, ReadOnlySpan<byte> start, SpreadsheetLimits limits, Guard guard)
    {
        // Strict decoding (a Windows-1258 file is refused, not garbled): UTF-8, or UTF-16 when a byte-order mark says so.
        var (encoding, skip) = start switch
        {
            [0xEF, 0xBB, 0xBF, ..] => ((Encoding)new UTF8Encoding(false, throwOnInvalidBytes: true), 3),
            [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            _ => (new UTF8Encoding(false, throwOnInvalidBytes: true), 0),
        };
        if (content.CanSeek) content.Seek(skip, SeekOrigin.Current);
        return ReadCsv(content, encoding, limits, guard);
    }

    private static IEnumerable<SpreadsheetRow> ReadCsv(Stream content, Encoding encoding, SpreadsheetLimits limits, Guard guard)
    {
        using var text = new StreamReader(new GuardedStream(content, long.MaxValue, guard, "csv"), encoding,
            detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024, leaveOpen: true);
        using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions
        {
            HasHeaders = false,
            // A record (one line, or several inside quotes) must fit in the buffer: a bound on one row's size.
            BufferSize = 64 * 1024,
            MaxBufferSize = 1024 * 1024,
        });
        var number = 0;
        while (csv.Read())
        {
            guard.Tick();
            if (++number > limits.MaxRows) throw TooManyRows(limits.MaxRows);
            var count = Math.Min(csv.RowFieldCount, limits.MaxColumns);
            var cells = new string[count];
            for (var i = 0; i < count; i++)
            {
                cells[i] = csv.GetString(i);
                if (cells[i].Length > limits.MaxCellChars) throw CellTooLong(limits.MaxCellChars);
            }
            yield return new SpreadsheetRow(number, TrimTrailingBlanks(cells));
        }
    }

    private static string[] TrimTrailingBlanks(string[] cells)
    {
        var n = cells.Length;
        while (n > 0 && cells[n - 1].Length == 0) n--;
        return n == cells.Length ? cells : cells[..n];
    }

    // ---------------------------------------------------------------------------------------------
    // XLSX
    // ---------------------------------------------------------------------------------------------

    private const string RelationshipsNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string StrictRelationshipsNs = "http://purl.oclc.org/ooxml/officeDocument/relationships";

    private static readonly XmlReaderSettings XmlSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit, // no entities, no "billion laughs"
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = true,
    };

    private static IEnumerable<SpreadsheetRow> ReadXlsx(Stream content, SpreadsheetLimits limits, Guard guard)
    {
        using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
        if (zip.Entries.Count > limits.MaxEntries)
            throw new SpreadsheetLimitException(SpreadsheetLimit.Entries,
                $"Tệp Excel có quá nhiều phần bên trong (hơn {limits.MaxEntries.ToString("N0", Vietnamese)}): hãy lưu lại thành tệp .xlsx thông thường.");
        var package = new Package(zip, limits, guard);

        var workbook = package.Relationships("").FirstOrDefault(r => r.Type.EndsWith("/officeDocument", StringComparison.Ordinal)).Target
                       ?? "xl/workbook.xml";
        var (sheetRelationship, date1904) = package.ReadWorkbook(workbook);
        var relationships = package.Relationships(workbook);
        var sheet = relationships.FirstOrDefault(r => r.Id == sheetRelationship).Target
                    ?? throw new SpreadsheetFormatException("Tệp Excel không có trang tính nào.");
        var styles = relationships.FirstOrDefault(r => r.Type.EndsWith("/styles", StringComparison.Ordinal)).Target;
        var sharedStrings = relationships.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target;

        var dateStyles = styles is null ? [] : package.ReadDateStyles(styles);
        var strings = sharedStrings is null ? [] : package.ReadSharedStrings(sharedStrings);
        foreach (var row in package.ReadSheet(sheet, strings, dateStyles, date1904)) yield return row;
    }

    private readonly record struct Relationship(string Id, string Type, string Target);

    /// <summary>The parts of one workbook, each opened within the limits.</summary>
    private sealed class Package(ZipArchive zip, SpreadsheetLimits limits, Guard guard)
    {
        private ZipArchiveEntry? Find(string path)
        {
            var name = path.TrimStart('/');
            return zip.GetEntry(name) ?? zip.Entries.FirstOrDefault(e => string.Equals(e.FullName, name, StringComparison.OrdinalIgnoreCase));
        }

        private XmlReader? Open(string path)
        {
            var entry = Find(path);
            if (entry is null) return null;
            // The declared size first (cheap), then every inflated byte is counted: the header can lie.
            if (entry.Length > limits.MaxPartBytes) throw PartTooLarge(path, limits.MaxPartBytes);
            return XmlReader.Create(new GuardedStream(entry.Open(), limits.MaxPartBytes, guard, path), XmlSettings);
        }

        /// <summary>The relationships of a part ("" = the package's own), targets resolved to zip paths.</summary>
        public List<Relationship> Relationships(string part)
        {
            var folder = part.Contains('/') ? part[..(part.LastIndexOf('/') + 1)] : "";
            var name = part.Contains('/') ? part[(part.LastIndexOf('/') + 1)..] : part;
            var result = new List<Relationship>();
            using var x = Open($"{folder}_rels/{name}.rels");
            if (x is null) return result;
            while (x.Read())
            {
                guard.Tick();
                if (x.NodeType != XmlNodeType.Element || x.LocalName != "Relationship") continue;
                if (x.GetAttribute("TargetMode") == "External") continue;
                var (id, type, target) = (x.GetAttribute("Id"), x.GetAttribute("Type"), x.GetAttribute("Target"));
                if (id is null || type is null || target is null || result.Count >= 1000) continue;
                result.Add(new Relationship(id, type, Resolve(folder, target)));
            }
            return result;
        }

        private static string Resolve(string folder, string target)
        {
            var segments = new List<string>();
            foreach (var segment in (target.StartsWith('/') ? target : folder + target).Split('/'))
            {
                if (segment is "" or ".") continue;
                if (segment == "..") { if (segments.Count > 0) segments.RemoveAt(segments.Count - 1); }
                else segments.Add(Uri.UnescapeDataString(segment));
            }
            return string.Join('/', segments);
        }

        /// <summary>The first sheet's relationship id, and whether dates count from 1904 (old Mac Excel).</summary>
        public (string? SheetRelationship, bool Date1904) ReadWorkbook(string path)
        {
            using var x = Open(path) ?? throw new SpreadsheetFormatException("Tệp không phải bảng tính Excel (.xlsx) đọc được.");
            var date1904 = false;
            while (x.Read())
            {
                guard.Tick();
                if (x.NodeType != XmlNodeType.Element) continue;
                if (x.LocalName == "workbookPr") date1904 = x.GetAttribute("date1904") is "1" or "true";
                if (x.LocalName == "sheet")
                    return (x.GetAttribute("id", RelationshipsNs) ?? x.GetAttribute("id", StrictRelationshipsNs), date1904);
            }
            return (null, date1904);
        }

        /// <summary>For each cell format (xf) of the workbook: does it show a date or time?</summary>
        public bool[] ReadDateStyles(string path)
        {
            using var x = Open(path);
            if (x is null) return [];
            var customDates = new HashSet<int>();
            var styles = new List<bool>();
            var inCellXfs = false;
            while (x.Read())
            {
                guard.Tick();
                if (x.NodeType == XmlNodeType.EndElement && x.LocalName == "cellXfs") inCellXfs = false;
                if (x.NodeType != XmlNodeType.Element) continue;
                switch (x.LocalName)
                {
                    case "numFmt" when int.TryParse(x.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                                       && IsDateFormat(x.GetAttribute("formatCode") ?? ""):
                        customDates.Add(id);
                        break;
                    case "cellXfs":
                        inCellXfs = !x.IsEmptyElement;
                        break;
                    case "xf" when inCellXfs:
                        var format = int.TryParse(x.GetAttribute("numFmtId"), NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : 0;
                        styles.Add(IsBuiltInDate(format) || customDates.Contains(format));
                        break;
                }
            }
            return [.. styles];
        }

        /// <summary>The shared-strings table, bounded in count and in characters, in memory (no temporary files).</summary>
        public List<string> ReadSharedStrings(string path)
        {
            var strings = new List<string>();
            using var x = Open(path);
            if (x is null) return strings;
            long characters = 0;
            var text = new StringBuilder();
            var chunk = new char[4096];
            while (x.Read())
            {
                if (x.NodeType != XmlNodeType.Element || x.LocalName != "si") continue;
                guard.Tick();
                if (strings.Count >= limits.MaxSharedStrings)
                    throw TooManyStrings();
                text.Clear();
                ReadStringItem(x, text, chunk);
                characters += text.Length;
                if (characters > limits.MaxSharedStringChars) throw TooManyStrings();
                strings.Add(text.ToString());
            }
            return strings;
        }

        private SpreadsheetLimitException TooManyStrings() =>
            new(SpreadsheetLimit.SharedStrings,
                $"Tệp Excel có quá nhiều ô chữ (hơn {limits.MaxSharedStrings.ToString("N0", Vietnamese)} ô, hoặc hơn " +
                $"{limits.MaxSharedStringChars.ToString("N0", Vietnamese)} ký tự): hãy xoá các trang, dòng thừa hoặc chia nhỏ tệp.");

        /// <summary>
        /// Reads a rich-text item (&lt;si&gt; or &lt;is&gt;, the reader on it) to its end: the text of its &lt;t&gt;
        /// elements, phonetic runs (&lt;rPh&gt;) left out.
        /// </summary>
        private void ReadStringItem(XmlReader x, StringBuilder text, char[] chunk)
        {
            if (x.IsEmptyElement) return;
            var depth = x.Depth;
            x.Read();
            while (!x.EOF && !(x.NodeType == XmlNodeType.EndElement && x.Depth == depth))
            {
                if (x.NodeType == XmlNodeType.Element && x.LocalName == "rPh") x.Skip();
                else if (x.NodeType == XmlNodeType.Element && x.LocalName == "t")
                {
                    ReadText(x, text, chunk);
                    x.Read();
                }
                else x.Read();
            }
        }

        /// <summary>
        /// The text of the element the reader is on, in chunks, never more than a cell may hold; leaves the reader on
        /// its end tag (or on the element itself when it is empty).
        /// </summary>
        private void ReadText(XmlReader x, StringBuilder text, char[] chunk)
        {
            if (x.IsEmptyElement) return;
            var depth = x.Depth;
            x.Read();
            while (!x.EOF && !(x.NodeType == XmlNodeType.EndElement && x.Depth == depth))
            {
                switch (x.NodeType)
                {
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                        int n;
                        while ((n = x.ReadValueChunk(chunk, 0, chunk.Length)) > 0)
                        {
                            if (text.Length + n > limits.MaxCellChars) throw CellTooLong(limits.MaxCellChars);
                            text.Append(chunk, 0, n);
                        }
                        x.Read();
                        break;
                    case XmlNodeType.Element:
                        x.Skip();
                        break;
                    default:
                        x.Read();
                        break;
                }
            }
        }

        /// <summary>
        /// The rows of a sheet's &lt;sheetData&gt;. Only cells in the first <see cref="SpreadsheetLimits.MaxColumns"/>
        /// columns are kept; everything else is skipped as it streams by.
        /// </summary>
        public IEnumerable<SpreadsheetRow> ReadSheet(string path, List<string> strings, bool[] dateStyles, bool date1904)
        {
            using var x = Open(path) ?? throw new SpreadsheetFormatException("Tệp Excel không có trang tính nào.");
            while (x.Read())
                if (x.NodeType == XmlNodeType.Element && x.LocalName == "sheetData") break;
            if (x.EOF || x.IsEmptyElement) yield break;

            var cells = new string?[limits.MaxColumns];
            var text = new StringBuilder();
            var chunk = new char[4096];
            var rowsRead = 0;
            var lastRow = 0;
            var depth = x.Depth;
            x.Read();
            while (!x.EOF && !(x.NodeType == XmlNodeType.EndElement && x.Depth == depth))
            {
                if (x.NodeType != XmlNodeType.Element)
                {
                    x.Read();
                    continue;
                }
                if (x.LocalName != "row")
                {
                    x.Skip();
                    continue;
                }
                guard.Tick();
                if (++rowsRead > limits.MaxRows) throw TooManyRows(limits.MaxRows);
                // Excel's rows go to 1,048,576; a number out of order or out of range is taken as "the next row".
                var number = int.TryParse(x.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r)
                             && r > lastRow && r <= 1_048_576 ? r : lastRow + 1;
                lastRow = number;
                var width = ReadRow(x, cells, strings, dateStyles, date1904, text, chunk);
                var row = new string[width];
                for (var i = 0; i < width; i++) row[i] = cells[i] ?? "";
                Array.Clear(cells);
                yield return new SpreadsheetRow(number, row);
            }
        }

        /// <summary>Reads one &lt;row&gt; (the reader on it) into <paramref name="cells"/>; returns the width used. Leaves the reader after the row.</summary>
        private int ReadRow(XmlReader x, string?[] cells, List<string> strings, bool[] dateStyles, bool date1904, StringBuilder text, char[] chunk)
        {
            var width = 0;
            if (x.IsEmptyElement)
            {
                x.Read();
                return 0;
            }
            var depth = x.Depth;
            var column = 0;
            x.Read();
            while (!x.EOF && !(x.NodeType == XmlNodeType.EndElement && x.Depth == depth))
            {
                if (x.NodeType != XmlNodeType.Element || x.LocalName != "c")
                {
                    if (x.NodeType == XmlNodeType.Element) x.Skip(); else x.Read();
                    continue;
                }
                guard.Tick();
                column = ColumnOf(x.GetAttribute("r")) ?? column + 1;
                if (column > cells.Length)
                {
                    x.Skip(); // beyond the columns any format reads: never materialised
                    continue;
                }
                var type = x.GetAttribute("t");
                var style = int.TryParse(x.GetAttribute("s"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
                string? value = null, inline = null;
                if (!x.IsEmptyElement)
                {
                    var cellDepth = x.Depth;
                    x.Read();
                    while (!x.EOF && !(x.NodeType == XmlNodeType.EndElement && x.Depth == cellDepth))
                    {
                        if (x.NodeType == XmlNodeType.Element && x.LocalName == "v")
                        {
                            text.Clear();
                            ReadText(x, text, chunk);
                            value = text.ToString();
                            x.Read();
                        }
                        else if (x.NodeType == XmlNodeType.Element && x.LocalName == "is")
                        {
                            text.Clear();
                            ReadStringItem(x, text, chunk);
                            inline = text.ToString();
                            x.Read();
                        }
                        else if (x.NodeType == XmlNodeType.Element) x.Skip();
                        else x.Read();
                    }
                }
                x.Read(); // past </c> (or the empty <c/>)
                var cell = CellText(type, value, inline, style, strings, dateStyles, date1904);
                if (cell.Length > 0)
                {
                    cells[column - 1] = cell;
                    width = Math.Max(width, column);
                }
            }
            x.Read(); // past </row>
            return width;
        }

        private string CellText(string? type, string? value, string? inline, int style, List<string> strings, bool[] dateStyles, bool date1904)
        {
            switch (type)
            {
                case "s":
                    return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < strings.Count
                        ? strings[index]
                        : throw new SpreadsheetFormatException("Tệp Excel hỏng: ô trỏ tới chuỗi không có.");
                case "inlineStr":
                    return inline ?? value ?? "";
                case "str" or "e":
                    return value ?? "";
                case "b":
                    return value switch { "1" => "TRUE", "0" => "FALSE", _ => value ?? "" };
                case "d":
                    return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso)
                        ? iso.ToString(limits.DateFormat, CultureInfo.InvariantCulture) : value ?? "";
            }
            if (string.IsNullOrEmpty(value)) return inline ?? "";
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return value;
            if (style < dateStyles.Length && dateStyles[style] && number is > -657435 and < 2958466)
                return DateTime.FromOADate(date1904 ? number + 1462 : number).ToString(limits.DateFormat, CultureInfo.InvariantCulture);
            if (limits.NumberFormat is { } numberFormat) return number.ToString(numberFormat, CultureInfo.InvariantCulture);
            return number == Math.Floor(number) && Math.Abs(number) < 1e15
                ? ((long)number).ToString(CultureInfo.InvariantCulture)
                : number.ToString("R", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>"B12" → 2; null when the reference is missing or not a cell reference.</summary>
    private static int? ColumnOf(string? reference)
    {
        if (string.IsNullOrEmpty(reference)) return null;
        var column = 0;
        var i = 0;
        for (; i < reference.Length && char.IsAsciiLetter(reference[i]); i++)
        {
            if (i == 3) return null; // XFD is the last column
            column = column * 26 + (char.ToUpperInvariant(reference[i]) - 'A' + 1);
        }
        return i == 0 ? null : column;
    }

    /// <summary>Excel's built-in number formats that show dates or times (ids 14–22, 45–47; East Asian 27–36, 50–58).</summary>
    private static bool IsBuiltInDate(int id) => id is >= 14 and <= 22 or >= 45 and <= 47 or >= 27 and <= 36 or >= 50 and <= 58;

    /// <summary>A custom format code shows a date or time when, outside quotes, escapes and [brackets], it has d, m, y, h or s.</summary>
    private static bool IsDateFormat(string code)
    {
        var section = code.Split(';')[0];
        var inQuotes = false;
        var inBrackets = false;
        for (var i = 0; i < section.Length; i++)
        {
            var c = section[i];
            if (inQuotes) { inQuotes = c != '"'; continue; }
            if (inBrackets) { inBrackets = c != ']'; continue; }
            switch (c)
            {
                case '"': inQuotes = true; break;
                case '[': inBrackets = true; break;
                case '\\' or '_' or '*': i++; break;
                default:
                    if ("dmyhsDMYHS".Contains(c)) return true;
                    break;
            }
        }
        return false;
    }
}
