using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Cho40.Db.Domain;
using MiniExcelLibs;
using static Cho40.Tests.Security.UploadAttackFiles;

namespace Cho40.Tests.Security;

/// <summary>
/// The bounded spreadsheet reader both imports use: what it reads (values, dates, numbers, row numbers as Excel shows
/// them) and what it refuses — each limit, a lying zip header, entity expansion, a deadline, cancellation.
/// </summary>
public sealed class SpreadsheetReaderTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly SpreadsheetLimits Defaults = new();

    private static List<SpreadsheetRow> Read(byte[] content, SpreadsheetLimits? limits = null, CancellationToken cancellationToken = default) =>
        SpreadsheetReader.Read(new MemoryStream(content), limits ?? Defaults, cancellationToken).ToList();

    [Fact]
    public void An_xlsx_written_by_Excel_tools_reads_as_the_sheet_shows_it()
    {
        var rows = new List<Dictionary<string, object?>>
        {
            new() { ["A"] = "Mã vận đơn", ["B"] = "Tiền", ["C"] = "Ngày", ["D"] = "Ghi chú" },
            new() { ["A"] = "GHN123", ["B"] = 1_250_000, ["C"] = new DateTime(2026, 11, 5), ["D"] = "Đã giao" },
            new() { ["A"] = null, ["B"] = 12.5, ["C"] = null, ["D"] = null },
        };
        using var stream = new MemoryStream();
        stream.SaveAs(rows, printHeader: false);

        var read = Read(stream.ToArray(), Defaults with { DateFormat = "dd/MM/yyyy" });
        Assert.Equal([1, 2, 3], read.Select(r => r.Number));
        Assert.Equal(["Mã vận đơn", "Tiền", "Ngày", "Ghi chú"], read[0].Cells);
        Assert.Equal(["GHN123", "1250000", "05/11/2026", "Đã giao"], read[1].Cells);
        Assert.Equal(["", "12.5"], read[2].Cells);
    }

    [Fact]
    public void Shared_strings_rich_text_inline_strings_booleans_and_custom_date_formats_are_read_as_text()
    {
        const string main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        var xlsx = WithParts(Xlsx([["#s:0", "#s:1", null]], "A1:C1", ["Chè", "x"]), new Dictionary<string, string>
        {
            ["xl/sharedStrings.xml"] = $"""<sst xmlns="{main}"><si><r><t>Chè </t></r><r><rPr><b/></rPr><t>Tân Cương</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si><si><t xml:space="preserve">  a  </t></si></sst>""",
            ["xl/styles.xml"] = $"""<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" formatCode="[$-42A]dd/mm/yyyy;@"/><numFmt numFmtId="165" formatCode="#,##0 &quot;₫&quot;"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>""",
            ["xl/worksheets/sheet1.xml"] = $"""
                <worksheet xmlns="{main}"><sheetData>
                <row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" s="1"><v>46331</v></c><c r="D2" s="2"><v>150000</v></c></row>
                <row r="5"><c r="B5" t="inlineStr"><is><t>trực tiếp</t></is></c><c r="C5" t="b"><v>1</v></c><c r="E5" t="str"><f>A2</f><v>công thức</v></c></row>
                <row><c t="e"><v>#N/A</v></c></row>
                </sheetData></worksheet>
                """,
        }, stylesRelationship: true);

        var read = Read(xlsx);
        Assert.Equal([2, 5, 6], read.Select(r => r.Number));
        Assert.Equal(["Chè Tân Cương", "  a  ", "2026-11-05", "150000"], read[0].Cells);
        Assert.Equal(["", "trực tiếp", "TRUE", "", "công thức"], read[1].Cells);
        Assert.Equal(["#N/A"], read[2].Cells);
    }

    [Fact]
    public void A_dimension_claiming_16384_columns_is_ignored_and_cells_beyond_the_columns_read_are_skipped()
    {
        var read = Read(XfdListingXlsx("x", 1000));
        Assert.Equal(1001, read.Count);
        Assert.All(read, r => Assert.True(r.Cells.Length <= ListingHeader.Length, $"{r.Cells.Length} cells"));

        // A cell in column XFD and one in column BM (65) of a 64-column read: neither is read.
        var wide = Xlsx([Enumerable.Repeat<string?>(null, 16383).Append("xa").ToArray(), [.. Enumerable.Repeat<string?>(null, 64), "bm"], ["a"]], "A1:XFD3");
        Assert.Equal([[], [], ["a"]], Read(wide).Select(r => r.Cells));
    }

    [Fact]
    public void A_zip_entry_bigger_than_the_limit_is_refused_whether_its_header_says_so_or_lies()
    {
        // About 2.4 MB of sheet XML (100,000 cells), in a zip of a few kilobytes.
        var honest = HeavyListingXlsx(100_000);
        var limits = Defaults with { MaxPartBytes = 1024 * 1024 };
        var declared = Assert.Throws<SpreadsheetLimitException>(() => Read(honest, limits));
        Assert.Equal(SpreadsheetLimit.PartSize, declared.Limit);
        Assert.Contains("lớn hơn 1 MB", declared.Message);

        // The header says 1,000 bytes: the reader never inflates more than the limit, whatever the header says.
        var lying = LieAboutSize(honest, "xl/worksheets/sheet1.xml", 1000);
        var refused = Record.Exception(() => Read(lying, limits));
        Assert.True(refused is SpreadsheetLimitException or SpreadsheetFormatException, refused?.ToString() ?? "read in full");
        // Declared exactly at the limit, inflating to more: refused by counting the inflated bytes.
        var atLimit = Record.Exception(() => Read(LieAboutSize(honest, "xl/worksheets/sheet1.xml", 1024 * 1024), limits));
        Assert.True(atLimit is SpreadsheetLimitException or SpreadsheetFormatException, atLimit?.ToString() ?? "read in full");
        output.WriteLine($"header says 1,000 bytes: {refused!.GetType().Name} ({refused.InnerException?.GetType().Name}: {refused.InnerException?.Message}); " +
                         $"says 1 MB: {atLimit!.GetType().Name} ({atLimit.Message})");
        // System.IO.Compression stops inflating at the declared size (hence the broken XML above). A stored (uncompressed)
        // entry is read by its compressed size, so there only the reader's own count of bytes stands between it and the limit.
        var stored = LieAboutSize(HeavyListingXlsx(100_000, CompressionLevel.NoCompression), "xl/worksheets/sheet1.xml", 1000);
        var counted = Record.Exception(() => Read(stored, limits));
        output.WriteLine($"stored entry, header says 1,000 bytes: {counted?.GetType().Name} {counted?.Message}");
        Assert.Equal(SpreadsheetLimit.PartSize, Assert.IsType<SpreadsheetLimitException>(counted).Limit);
        Assert.Equal(11, Read(honest).Count); // within the default limits it reads (the header and 10 rows of 10,000 cells)
    }

    [Fact]
    public void Shared_strings_are_bounded_in_count_and_characters()
    {
        var many = SharedStringsBomb(count: 300_000, length: 10);
        var byCount = Assert.Throws<SpreadsheetLimitException>(() => Read(many));
        Assert.Equal(SpreadsheetLimit.SharedStrings, byCount.Limit);

        var long_ = SharedStringsBomb(count: 2_000, length: 10_000); // 20 million characters in 2,012 strings
        Assert.Equal(SpreadsheetLimit.SharedStrings, Assert.Throws<SpreadsheetLimitException>(() => Read(long_)).Limit);

        // Within the bounds the same shape reads.
        Assert.Equal(2, Read(SharedStringsBomb(count: 1_000, length: 100)).Count);
    }

    [Fact]
    public void One_huge_cell_is_refused_without_being_held_in_memory()
    {
        // 50 million characters in one inline string: a parser that builds the string first needs 100 MB.
        var huge = Xlsx([["a"]], null, extraSheetRows: writer =>
        {
            writer.Write("""<row r="2"><c r="A2" t="inlineStr"><is><t>""");
            var block = new string('x', 1_000_000);
            for (var i = 0; i < 50; i++) writer.Write(block);
            writer.Write("</t></is></c></row>");
            return true;
        });
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var refused = Assert.Throws<SpreadsheetLimitException>(() => Read(huge));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal(SpreadsheetLimit.CellLength, refused.Limit);
        Assert.True(allocated < 16 * 1024 * 1024, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void Rows_beyond_the_limit_end_the_read()
    {
        var file = Xlsx(Enumerable.Range(1, 11).Select(i => new string?[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture) }), null);
        Assert.Equal(11, Read(file, Defaults with { MaxRows = 11 }).Count);
        Assert.Equal(SpreadsheetLimit.Rows, Assert.Throws<SpreadsheetLimitException>(() => Read(file, Defaults with { MaxRows = 10 })).Limit);

        var csv = TenMillionLineCsv(1_000_000);
        var tooMany = Assert.Throws<SpreadsheetLimitException>(() => Read(csv, Defaults with { MaxRows = 200_000 }));
        Assert.Equal(SpreadsheetLimit.Rows, tooMany.Limit);
        Assert.Contains("hơn 200.000 dòng", tooMany.Message);
    }

    [Fact]
    public void Reading_ends_at_the_deadline_and_on_cancellation()
    {
        var heavy = HeavyListingXlsx(2_000_000);
        var late = Assert.Throws<SpreadsheetLimitException>(() => Read(heavy, Defaults with { Timeout = TimeSpan.FromMilliseconds(20) }));
        Assert.Equal(SpreadsheetLimit.Time, late.Limit);

        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Read(heavy, cancellationToken: cancel.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => Read(TenMillionLineCsv(1000), cancellationToken: cancel.Token));
    }

    [Fact]
    public void Entity_expansion_a_broken_zip_and_too_many_entries_are_refused()
    {
        const string laughs = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>
            """;
        var dtd = WithParts(Xlsx([["a"]], null), new Dictionary<string, string> { ["xl/worksheets/sheet1.xml"] = laughs });
        Assert.Throws<SpreadsheetFormatException>(() => Read(dtd));
        Assert.Throws<SpreadsheetFormatException>(() => Read([(byte)'P', (byte)'K', 3, 4, 1, 2, 3]));

        var crowded = WithParts(Xlsx([["a"]], null), Enumerable.Range(0, 1_001).ToDictionary(i => $"x/{i}.xml", _ => "<x/>"));
        Assert.Equal(SpreadsheetLimit.Entries, Assert.Throws<SpreadsheetLimitException>(() => Read(crowded)).Limit);
    }

    [Fact]
    public void Csv_is_strict_utf8_unless_a_byte_order_mark_says_utf16_and_keeps_only_the_columns_read()
    {
        var utf8 = Read([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("Tên;Giá\r\nChè;\"150.000\"\r\n")]);
        Assert.Equal([["Tên", "Giá"], ["Chè", "150.000"]], utf8.Select(r => r.Cells));

        var utf16 = Read([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Tên,Giá\r\nChè,1\r\n")]);
        Assert.Equal([["Tên", "Giá"], ["Chè", "1"]], utf16.Select(r => r.Cells));

        var windows1258 = new byte[] { 0x54, 0xEA, 0x6E, 0x3B, 0x47, 0x69, 0xE1, 0x0D, 0x0A, 0xD0, 0xE0 };
        Assert.True(Assert.Throws<SpreadsheetFormatException>(() => Read(windows1258)).NotUtf8);
        // Invalid bytes after a UTF-8 byte-order mark are refused too, not replaced.
        Assert.True(Assert.Throws<SpreadsheetFormatException>(() => Read([0xEF, 0xBB, 0xBF, .. windows1258])).NotUtf8);

        var wide = Read(Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(1, 1000)) + "\n"));
        Assert.Equal(64, Assert.Single(wide).Cells.Length);
    }

    /// <summary>The same package with some parts replaced or added (and, on request, a styles relationship).</summary>
    private static byte[] WithParts(byte[] xlsx, IReadOnlyDictionary<string, string> parts, bool stylesRelationship = false)
    {
        using var buffer = new MemoryStream();
        using (var output = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        using (var input = new ZipArchive(new MemoryStream(xlsx), ZipArchiveMode.Read))
        {
            foreach (var entry in input.Entries)
            {
                if (parts.ContainsKey(entry.FullName)) continue;
                using var reader = new StreamReader(entry.Open());
                var text = reader.ReadToEnd();
                if (stylesRelationship && entry.FullName == "xl/_rels/workbook.xml.rels")
                    text = text.Replace("</Relationships>", """<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>""", StringComparison.Ordinal);
                using var writer = new StreamWriter(output.CreateEntry(entry.FullName).Open());
                writer.Write(text);
            }
            foreach (var (name, text) in parts)
            {
                using var writer = new StreamWriter(output.CreateEntry(name).Open());
                writer.Write(text);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Rewrites the uncompressed size an entry's local header and central-directory record declare.</summary>
    private static byte[] LieAboutSize(byte[] zip, string entryName, uint declared)
    {
        var bytes = (byte[])zip.Clone();
        var name = Encoding.UTF8.GetBytes(entryName);
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            if (signature == 0x04034b50 && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 22), declared);
            if (signature == 0x02014b50 && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), declared);
        }
        return bytes;
    }
}
