using System.IO.Compression;
using System.Security;
using System.Text;

namespace Cho40.Tests.Security;

/// <summary>
/// Hostile spreadsheets built byte by byte (System.IO.Compression), so that each shape of the attack is exact: a
/// <c>&lt;dimension&gt;</c> claiming columns up to XFD, a shared-strings table of millions of entries, a zip entry
/// whose header lies about its size, a 10-million-line CSV.
/// </summary>
public static class UploadAttackFiles
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string Rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// <summary>
    /// A minimal valid XLSX: one sheet of inline strings (numbers where a cell is a number), its dimension as given
    /// (null: none). Extra entries (name → bytes) are added as they are; <paramref name="sharedStrings"/> adds a
    /// shared-strings part (cells written "#s:N" refer to entry N).
    /// </summary>
    public static byte[] Xlsx(IEnumerable<string?[]> rows, string? dimension, IEnumerable<string>? sharedStrings = null,
        Func<StreamWriter, bool>? extraSheetRows = null, CompressionLevel sheetCompression = CompressionLevel.SmallestSize)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Text(zip, "[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
                <Default Extension="xml" ContentType="application/xml"/>
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
                <Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
                </Types>
                """);
            Text(zip, "_rels/.rels", $"""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                <Relationship Id="rId1" Type="{Rel}/officeDocument" Target="xl/workbook.xml"/>
                </Relationships>
                """);
            Text(zip, "xl/workbook.xml", $"""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <workbook xmlns="{Main}" xmlns:r="{Rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>
                """);
            Text(zip, "xl/_rels/workbook.xml.rels", $"""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                <Relationship Id="rId1" Type="{Rel}/worksheet" Target="worksheets/sheet1.xml"/>
                {(sharedStrings is null ? "" : $"""<Relationship Id="rId2" Type="{Rel}/sharedStrings" Target="sharedStrings.xml"/>""")}
                </Relationships>
                """);
            if (sharedStrings is not null)
            {
                using var writer = new StreamWriter(zip.CreateEntry("xl/sharedStrings.xml", CompressionLevel.SmallestSize).Open(), new UTF8Encoding(false));
                writer.Write($"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{Main}">""");
                foreach (var s in sharedStrings) writer.Write($"<si><t>{SecurityElement.Escape(s)}</t></si>");
                writer.Write("</sst>");
            }
            using (var writer = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml", sheetCompression).Open(), new UTF8Encoding(false)))
            {
                writer.Write($"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{Main}">""");
                if (dimension is not null) writer.Write($"""<dimension ref="{dimension}"/>""");
                writer.Write("<sheetData>");
                var r = 0;
                foreach (var row in rows)
                {
                    r++;
                    writer.Write($"""<row r="{r}">""");
                    for (var c = 0; c < row.Length; c++)
                    {
                        var value = row[c];
                        if (value is null) continue;
                        var at = Column(c) + r;
                        if (value.StartsWith("#s:", StringComparison.Ordinal)) writer.Write($"""<c r="{at}" t="s"><v>{value[3..]}</v></c>""");
                        else if (long.TryParse(value, out _)) writer.Write($"""<c r="{at}"><v>{value}</v></c>""");
                        else writer.Write($"""<c r="{at}" t="inlineStr"><is><t>{SecurityElement.Escape(value)}</t></is></c>""");
                    }
                    writer.Write("</row>");
                }
                extraSheetRows?.Invoke(writer);
                writer.Write("</sheetData></worksheet>");
            }
        }
        return buffer.ToArray();
    }

    public static string Column(int index)
    {
        var name = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) name = (char)('A' + (n - 1) % 26) + name;
        return name;
    }

    private static void Text(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(text);
    }

    /// <summary>The listing template's header (the columns the import reads).</summary>
    public static readonly string[] ListingHeader =
        ["ma_san_pham", "ten", "danh_muc", "don_vi", "gia", "ton_kho", "ocop", "chung_nhan", "tinh", "xa", "trang_thai", "mo_ta"];

    /// <summary>Valid listing rows (new products, names unique to <paramref name="tag"/>).</summary>
    public static IEnumerable<string?[]> ListingRows(string tag, int count) =>
        Enumerable.Range(1, count).Select(i => new string?[]
        {
            "", $"Chè {tag} lô {i}", "Chè xanh búp", "gói 200 g", (100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "10", "", "VietGAP", "Thái Nguyên", "Tân Cương", "nháp", "",
        });

    /// <summary>
    /// The listing XLSX whose dimension says A1:XFD{rows+1}: 16,384 columns a row for a parser that trusts it.
    /// </summary>
    public static byte[] XfdListingXlsx(string tag, int rows, bool claimXfd = true) =>
        Xlsx([ListingHeader, .. ListingRows(tag, rows)], claimXfd ? $"A1:XFD{rows + 1}" : $"A1:L{rows + 1}");

    /// <summary>
    /// A shared-strings bomb: the listing header, then <paramref name="count"/> copies of one string of
    /// <paramref name="length"/> characters in the shared-strings table (nothing says its entries must differ), which
    /// deflate packs about 1,000 to 1; the sheet refers to a few of them.
    /// </summary>
    public static byte[] SharedStringsBomb(int count, int length)
    {
        var padding = new string('x', length);
        IEnumerable<string> Strings()
        {
            foreach (var h in ListingHeader) yield return h;
            for (var i = 0; i < count; i++) yield return padding;
        }
        var header = ListingHeader.Select((_, i) => (string?)$"#s:{i}").ToArray();
        var row = ListingHeader.Select((_, i) => (string?)$"#s:{ListingHeader.Length + i}").ToArray();
        return Xlsx([header, row], "A1:L2", Strings());
    }

    /// <summary>
    /// An XLSX whose sheet is a valid header then <paramref name="cells"/> cells in column ZZ (beyond every format's
    /// columns): a parser with bounds skips them but must still read them — the costliest file a size limit allows.
    /// </summary>
    public static byte[] HeavyListingXlsx(long cells, CompressionLevel compression = CompressionLevel.SmallestSize) =>
        Xlsx([ListingHeader], "A1:L1", sheetCompression: compression, extraSheetRows: writer =>
        {
            const int perRow = 10_000;
            var cell = new StringBuilder();
            for (var i = 0; i < perRow; i++) cell.Append("<c r=\"ZZ#\"><v>1</v></c>");
            var text = cell.ToString();
            for (long written = 0, r = 2; written < cells; written += perRow, r++)
            {
                writer.Write($"""<row r="{r}">""");
                writer.Write(text.Replace("#", r.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
                writer.Write("</row>");
            }
            return true;
        });

    /// <summary>A COD statement CSV: the canonical header, then <paramref name="lines"/> one-character lines (2 bytes each).</summary>
    public static byte[] TenMillionLineCsv(int lines = 10_000_000)
    {
        var header = Encoding.UTF8.GetBytes(string.Join(",", Cho40.Db.CodStatementFormats.CanonicalHeaders) + "\n");
        var bytes = new byte[header.Length + 2L * lines];
        header.CopyTo(bytes, 0);
        for (long i = header.Length; i < bytes.Length; i += 2)
        {
            bytes[i] = (byte)'x';
            bytes[i + 1] = (byte)'\n';
        }
        return bytes;
    }
}
