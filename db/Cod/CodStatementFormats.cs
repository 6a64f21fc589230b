using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cho40.Db.Domain;
using MiniExcelLibs;
using Sylvan.Data.Csv;

namespace Cho40.Db;

/// <summary>The fields of one COD statement line, whatever a carrier calls its columns.</summary>
public enum CodField { TrackingCode, OrderCode, Cod, ShippingFee, CodFee, ReturnFee, Status, DeliveredOn, RemittedOn }

public static class CodLineStatus
{
    public const string Delivered = "delivered";
    /// <summary>Part delivered and paid for, the rest returned to the seller.</summary>
    public const string Partial = "partial";
    public const string Returned = "returned";
    public const string Lost = "lost";

    public static readonly string[] All = [Delivered, Partial, Returned, Lost];
}

/// <summary>
/// A column set: the header names (aliases, compared without diacritics, case or spacing) for each field.
/// Carrier <c>null</c> means the admin names the carrier (our canonical template).
/// </summary>
public sealed record CodStatementFormat(string Name, string? Carrier, string Label, IReadOnlyDictionary<CodField, string[]> Headers)
{
    public static readonly CodField[] Required = [CodField.TrackingCode, CodField.Cod, CodField.Status];
}

public sealed record ParsedCodLine(int RowNumber, string TrackingCode, string? OrderCode, long CodVnd, long ShippingFeeVnd,
    long CodFeeVnd, long ReturnFeeVnd, string Status, DateOnly? DeliveredOn, DateOnly? RemittedOn, string? CarrierStatus = null);

/// <summary>A session-level fee (carrier kept it) or refund (carrier gave it back), from a sheet of its own.</summary>
public sealed record ParsedCodAdjustment(string Kind, string Sheet, int RowNumber, string Description, long AmountVnd);

/// <summary>What a carrier's file looks like and what we propose its columns mean.</summary>
public sealed record CodMappingProposal(int HeaderIndex, IReadOnlyList<string> Headers, IReadOnlyList<string[]> Samples,
    IReadOnlyDictionary<CodField, int> Columns, string Source, IReadOnlyList<string> StatusWords,
    IReadOnlyDictionary<string, string> KnownStatuses);

/// <summary>What an admin confirmed for one carrier: header text per field, and status words (folded) → status.</summary>
public sealed record CodCarrierSettings(IReadOnlyDictionary<CodField, string> Headers, IReadOnlyDictionary<string, string> StatusWords)
{
    public static readonly CodCarrierSettings None = new(new Dictionary<CodField, string>(), new Dictionary<string, string>());
}

public sealed record CodParseResult(CodStatementFormat? Format, IReadOnlyList<ParsedCodLine> Lines, IReadOnlyList<string> Errors)
{
    /// <summary>Set when the file cannot be read without an admin confirming its columns or status words.</summary>
    public CodMappingProposal? NeedsMapping { get; init; }
    public IReadOnlyList<ParsedCodAdjustment> Adjustments { get; init; } = [];
    /// <summary>'saved' (the carrier's confirmed mapping), or the built-in column set's name.</summary>
    public string FormatName => Format?.Name ?? "saved";
}

/// <summary>
/// Reading carriers' COD statements (CSV or XLSX). Our own template is read as it is; any other file is read with the
/// column mapping an admin confirmed for its carrier (proposed from <see cref="Formats"/>' aliases the first time) and
/// the carrier's status words the admin mapped. All problems of a file are collected, by row.
/// </summary>
public static class CodStatementFormats
{
    public const int MaxLines = 200_000;
    /// <summary>Bounds of what is read of a file: rows, cells per row, characters per cell.</summary>
    public const int MaxColumns = 100;
    public const int MaxCellChars = 500;

    /// <summary>The canonical template's headers, in order (also the downloadable template).</summary>
    public static readonly string[] CanonicalHeaders =
        ["Mã vận đơn", "Mã đơn hàng", "Tiền thu hộ", "Phí vận chuyển", "Phí thu hộ", "Phí hoàn hàng", "Trạng thái", "Ngày giao", "Ngày đối soát"];

    public static readonly IReadOnlyDictionary<CodField, string> FieldNames = new Dictionary<CodField, string>
    {
        [CodField.TrackingCode] = "Mã vận đơn", [CodField.OrderCode] = "Mã đơn hàng (của Chợ 4.0)", [CodField.Cod] = "Tiền thu hộ (COD)",
        [CodField.ShippingFee] = "Phí vận chuyển", [CodField.CodFee] = "Phí thu hộ", [CodField.ReturnFee] = "Phí hoàn hàng",
        [CodField.Status] = "Trạng thái", [CodField.DeliveredOn] = "Ngày giao", [CodField.RemittedOn] = "Ngày đối soát",
    };

    // GHN, GHTK and Viettel Post header names below are what their portals' COD reconciliation ("đối soát COD") exports
    // are commonly described with; none could be checked against a real export (docs/features/cod.md). They only
    // PROPOSE a mapping: an admin confirms it once per carrier.
    public static readonly IReadOnlyList<CodStatementFormat> Formats =
    [
        new("canonical", null, "Mẫu Chợ 4.0", new Dictionary<CodField, string[]>
        {
            [CodField.TrackingCode] = ["Mã vận đơn"],
            [CodField.OrderCode] = ["Mã đơn hàng"],
            [CodField.Cod] = ["Tiền thu hộ"],
            [CodField.ShippingFee] = ["Phí vận chuyển"],
            [CodField.CodFee] = ["Phí thu hộ"],
            [CodField.ReturnFee] = ["Phí hoàn hàng"],
            [CodField.Status] = ["Trạng thái"],
            [CodField.DeliveredOn] = ["Ngày giao"],
            [CodField.RemittedOn] = ["Ngày đối soát"],
        }),
        new("ghn", "GHN", "Giao Hàng Nhanh (GHN)", new Dictionary<CodField, string[]>
        {
            [CodField.TrackingCode] = ["Mã đơn GHN", "Mã vận đơn GHN"],
            [CodField.OrderCode] = ["Mã đơn khách hàng", "Mã đơn KH", "Mã đơn shop"],
            [CodField.Cod] = ["Tiền thu hộ", "Tiền thu hộ (COD)", "COD", "Thu hộ"],
            [CodField.ShippingFee] = ["Phí vận chuyển", "Tổng phí", "Cước phí", "Phí dịch vụ"],
            [CodField.CodFee] = ["Phí COD", "Phí thu hộ"],
            [CodField.ReturnFee] = ["Phí hoàn hàng", "Phí chuyển hoàn", "Phí hoàn"],
            [CodField.Status] = ["Trạng thái", "Trạng thái đơn"],
            [CodField.DeliveredOn] = ["Ngày giao hàng", "Ngày giao", "Ngày hoàn tất"],
            [CodField.RemittedOn] = ["Ngày đối soát", "Ngày chuyển COD", "Phiên đối soát"],
        }),
        new("ghtk", "GHTK", "Giao Hàng Tiết Kiệm (GHTK)", new Dictionary<CodField, string[]>
        {
            [CodField.TrackingCode] = ["Mã đơn GHTK", "Mã vận đơn GHTK", "Mã GHTK", "Mã ĐH"],
            [CodField.OrderCode] = ["Mã đơn shop", "Mã đơn hàng shop", "Mã đơn khách hàng", "Mã ĐH shop"],
            [CodField.Cod] = ["Tiền thu hộ", "Tiền CoD", "Thu hộ"],
            [CodField.ShippingFee] = ["Phí ship", "Phí giao hàng", "Phí vận chuyển", "Phí dịch vụ cuối cùng"],
            [CodField.CodFee] = ["Phí thu hộ", "Phí CoD"],
            [CodField.ReturnFee] = ["Phí trả hàng", "Phí hoàn hàng", "Phí hoàn", "Phí chuyển hoàn"],
            [CodField.Status] = ["Trạng thái", "Trạng thái đơn hàng"],
            [CodField.DeliveredOn] = ["Ngày giao", "Ngày giao hàng", "Ngày hoàn thành", "Thời gian giao thành công"],
            [CodField.RemittedOn] = ["Ngày đối soát", "Ngày chuyển tiền", "Thời gian đối soát"],
        }),
        new("viettelpost", "Viettel Post", "Viettel Post", new Dictionary<CodField, string[]>
        {
            [CodField.TrackingCode] = ["Mã vận đơn", "Số hiệu", "ORDER_NUMBER", "Mã phiếu gửi"],
            [CodField.OrderCode] = ["Mã đơn hàng", "ORDER_REFERENCE", "Mã tham chiếu"],
            [CodField.Cod] = ["Tiền thu hộ", "MONEY_COLLECTION", "Tiền COD"],
            [CodField.ShippingFee] = ["Cước phí", "Phí vận chuyển", "MONEY_TOTALFEE", "Tổng cước"],
            [CodField.CodFee] = ["Phí thu hộ", "MONEY_FEECOD", "Phí COD"],
            [CodField.ReturnFee] = ["Phí hoàn", "Cước hoàn", "Phí chuyển hoàn"],
            [CodField.Status] = ["Trạng thái", "ORDER_STATUS", "Mã trạng thái"],
            [CodField.DeliveredOn] = ["Ngày phát", "Ngày giao", "Ngày phát thành công"],
            [CodField.RemittedOn] = ["Ngày đối soát", "Ngày thanh toán"],
        }),
    ];

    /// <summary>Status words everyone means the same way (folded) → our statuses. A carrier's own words are mapped once by an admin.</summary>
    private static readonly Dictionary<string, string> StatusWords = new()
    {
        ["da giao"] = CodLineStatus.Delivered, ["giao thanh cong"] = CodLineStatus.Delivered, ["da giao hang"] = CodLineStatus.Delivered,
        ["hoan tat"] = CodLineStatus.Delivered, ["da doi soat"] = CodLineStatus.Delivered, ["delivered"] = CodLineStatus.Delivered,
        ["giao mot phan"] = CodLineStatus.Partial, ["da giao mot phan"] = CodLineStatus.Partial,
        ["da tra hang"] = CodLineStatus.Returned, ["tra hang"] = CodLineStatus.Returned, ["hoan hang"] = CodLineStatus.Returned,
        ["da hoan"] = CodLineStatus.Returned, ["chuyen hoan"] = CodLineStatus.Returned, ["da chuyen hoan"] = CodLineStatus.Returned,
        ["returned"] = CodLineStatus.Returned,
        ["that lac"] = CodLineStatus.Lost, ["mat hang"] = CodLineStatus.Lost, ["hang that lac"] = CodLineStatus.Lost,
        ["lost"] = CodLineStatus.Lost,
    };

    /// <summary>The sheets of session-level fees and refunds (folded names) and which they are.</summary>
    private static readonly Dictionary<string, string> AdjustmentSheets = new()
    {
        ["tam thu"] = "fee", ["phi tam thu"] = "fee", ["phi phien"] = "fee",
        ["da hoan"] = "refund", ["hoan tien"] = "refund", ["tien hoan"] = "refund",
    };
    private static readonly string[] AdjustmentAmountHeaders = ["Số tiền", "Thành tiền", "Tiền", "Số tiền tạm thu", "Số tiền hoàn", "Amount"];
    private static readonly string[] AdjustmentTextHeaders = ["Nội dung", "Diễn giải", "Mô tả", "Ghi chú", "Lý do"];

    public static string Fold(string text) =>
        Regex.Replace(Slug.ToAscii(text).ToLowerInvariant().Replace('_', ' '), @"[\s\u00a0]+", " ").Trim();

    public static string StatusName(string status) => status switch
    {
        CodLineStatus.Delivered => "Đã giao", CodLineStatus.Partial => "Giao một phần", CodLineStatus.Returned => "Đã trả hàng",
        CodLineStatus.Lost => "Thất lạc", _ => status,
    };

    /// <summary>The canonical template as CSV (UTF-8 with BOM so Excel shows Vietnamese), with two example rows.</summary>
    public static byte[] CanonicalTemplateCsv()
    {
        var text = string.Join(",", CanonicalHeaders) + "\r\n"
            + "GHN5K2Q8X7,DH-7KQ3XM,\"1.250.000\",30000,12500,0,Đã giao,05/11/2026,12/11/2026\r\n"
            + "GHN5K2Q9A1,DH-8MN4PQ,0,30000,0,15000,Đã trả hàng,06/11/2026,12/11/2026\r\n";
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)];
    }

    private static bool IsUtf8(byte[] content)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(content);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    public static bool IsZip(byte[] content) =>
        content.Length >= 4 && content[0] == 'P' && content[1] == 'K' && content[2] == 3 && content[3] == 4;

    /// <summary>
    /// What reading one statement may cost (see <see cref="SpreadsheetReader"/>): a carrier's export of
    /// <see cref="MaxLines"/> lines with a few dozen columns fits with room to spare; a file that claims or inflates to more
    /// is refused, in Vietnamese, before it costs more.
    /// </summary>
    public static readonly SpreadsheetLimits Limits = new()
    {
        MaxColumns = 64,
        MaxRows = MaxLines + 1_000, // title rows above the header and blank lines
        MaxPartBytes = 256L * 1024 * 1024,
        MaxSharedStrings = 1_000_000,
        MaxSharedStringChars = 16L * 1024 * 1024,
        Timeout = TimeSpan.FromSeconds(60),
        DateFormat = "dd/MM/yyyy",
        NumberFormat = "0.##########",
    };

    /// <summary>At most this many rows' problems are listed; the rest are counted.</summary>
    public const int MaxListedErrors = 500;

    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    /// <summary>
    /// Reads the first sheet (XLSX when the content is a zip, CSV otherwise) with the bounded <see cref="SpreadsheetReader"/>
    /// into rows of text cells, indexed so that row <c>r</c> is the spreadsheet's row <c>r + 1</c> (blank rows kept empty).
    /// Throws <see cref="SpreadsheetLimitException"/> / <see cref="SpreadsheetFormatException"/>.
    /// </summary>
    public static List<string[]> ReadRows(byte[] content, SpreadsheetLimits? limits = null, CancellationToken cancellationToken = default)
    {
        var rows = new List<string[]>();
        foreach (var row in SpreadsheetReader.Read(new MemoryStream(content, writable: false), limits ?? Limits, cancellationToken))
        {
            while (rows.Count < row.Number - 1) rows.Add([]);
            rows.Add(row.Cells.Select(Cut).ToArray());
            // The line cap (plus the few title rows a header may sit under): stop reading there, whatever the file's size.
            if (rows.Count > MaxLines + 10)
                throw new SpreadsheetLimitException(SpreadsheetLimit.Rows, $"Tệp có hơn {MaxLines.ToString("N0", Vietnamese)} dòng: hãy chia nhỏ.");
        }
        return rows;
    }

    private static List<string[]> ReadSheet(Stream stream, string? sheet, CancellationToken cancellationToken)
    {
        var rows = new List<string[]>();
        foreach (IDictionary<string, object?> row in MiniExcel.Query(stream, useHeaderRow: false, sheetName: sheet, excelType: ExcelType.XLSX))
        {
            if ((rows.Count & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            rows.Add(row.Values.Take(MaxColumns).Select(v => Cut(CellText(v))).ToArray());
            if (rows.Count > MaxLines) break;
        }
        return rows;
    }

    private static string Cut(string text) => text.Length > MaxCellChars ? text[..MaxCellChars] : text;

    private static string CellText(object? value) => value switch
    {
        null => "",
        DateTime d => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture),
        // Viettel Post's all-digit order numbers come as numbers from Excel: written out in full, never as 1.2E+12.
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e17 => ((long)d).ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("0.##########", CultureInfo.InvariantCulture),
        decimal m when m == decimal.Truncate(m) => decimal.Truncate(m).ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// Reads a statement. Our template (all its headers) is read as it is; otherwise the carrier's confirmed mapping is
    /// used when the file has every header it names. When there is none, or the file's columns differ, or a status word
    /// is neither universal nor mapped for this carrier, the result carries a <see cref="CodParseResult.NeedsMapping"/>
    /// proposal instead of lines. Row problems are all returned, in Vietnamese, with row numbers as a spreadsheet shows them.
    /// </summary>
    public static CodParseResult Parse(byte[] content, string carrier, CodCarrierSettings? settings = null, SpreadsheetLimits? limits = null,
        CancellationToken cancellationToken = default)
    {
        settings ??= CodCarrierSettings.None;
        const string unreadable = "Không đọc được tệp: hãy tải lên tệp CSV (UTF-8) hoặc Excel (.xlsx).";
        // Text, not a program or a picture under a .csv name: no NUL byte, valid UTF-8.
        if (!IsZip(content) && (Array.IndexOf(content, (byte)0) >= 0 || !IsUtf8(content))) return new(null, [], [unreadable]);
        List<string[]> rows;
        try
        {
            rows = ReadRows(content, limits, cancellationToken);
        }
        catch (SpreadsheetLimitException e)
        {
            return new(null, [], [e.Message]);
        }
        catch (SpreadsheetFormatException e) when (e.NotUtf8)
        {
            return new(null, [], ["Tệp CSV phải lưu dạng UTF-8 (trong Excel: Lưu thành › CSV UTF-8), hoặc tải lên tệp Excel (.xlsx)."]);
        }
        catch (SpreadsheetFormatException)
        {
            return new(null, [], [unreadable]);
        }
        IReadOnlyList<ParsedCodAdjustment> adjustments;
        try
        {
            adjustments = ReadAdjustments(content, cancellationToken);
        }
        catch (FormatException e)
        {
            return new(null, [], [e.Message]);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or System.Xml.XmlException or ArgumentException)
        {
            return new(null, [], [unreadable]);
        }
        var top = Math.Min(10, rows.Count);

        // Another carrier's own tracking-code header: the file was declared for the wrong carrier.
        for (var h = 0; h < top; h++)
        {
            var folded = rows[h].Select(Fold).ToHashSet();
            foreach (var other in Formats.Where(f => f.Carrier is not null && !string.Equals(f.Carrier, carrier, StringComparison.OrdinalIgnoreCase)))
                if (other.Headers[CodField.TrackingCode].Any(a => a.Contains(other.Carrier!, StringComparison.OrdinalIgnoreCase) && folded.Contains(Fold(a))))
                    return new(other, [], [$"Tệp theo mẫu {other.Label} nhưng đơn vị vận chuyển đã chọn là {carrier}."]);
        }

        // 1. Our own template, all of its headers.
        var canonical = Formats[0];
        for (var h = 0; h < top; h++)
        {
            var folded = rows[h].Select(Fold).ToArray();
            var columns = Columns(folded, canonical.Headers);
            if (columns.Count == CanonicalHeaders.Length)
                return Read(canonical, columns, rows, h, carrier, settings, adjustments);
        }
        // 2. The carrier's confirmed mapping, when the file has every header it names.
        if (settings.Headers.Count > 0)
        {
            var wanted = settings.Headers.ToDictionary(p => p.Key, p => new[] { p.Value });
            for (var h = 0; h < top; h++)
            {
                var columns = Columns(rows[h].Select(Fold).ToArray(), wanted);
                if (columns.Count == wanted.Count)
                    return Read(null, columns, rows, h, carrier, settings, adjustments);
            }
        }
        // 3. Propose: the row that matches most aliases (the carrier's own first) is the header row. A file without any row
        //    of two or more cells near the top is no statement at all.
        if (!rows.Take(10).Any(r => r.Count(c => !string.IsNullOrWhiteSpace(c)) >= 2))
            return new(null, [], ["Không nhận ra dòng tiêu đề: 10 dòng đầu của tệp không có dòng nào từ hai cột trở lên."]);
        return new(null, [], []) { NeedsMapping = Propose(rows, carrier, settings) };
    }

    private static Dictionary<CodField, int> Columns(string[] folded, IReadOnlyDictionary<CodField, string[]> aliases)
    {
        var columns = new Dictionary<CodField, int>();
        foreach (var (field, names) in aliases)
        {
            foreach (var name in names)
            {
                var index = Array.IndexOf(folded, Fold(name));
                if (index >= 0 && !columns.ContainsValue(index))
                {
                    columns[field] = index;
                    break;
                }
            }
        }
        return columns;
    }

    /// <summary>A proposed mapping for a file: header row, its columns, samples, and the status words it uses.</summary>
    public static CodMappingProposal Propose(List<string[]> rows, string carrier, CodCarrierSettings settings)
    {
        var own = Formats.FirstOrDefault(f => string.Equals(f.Carrier, carrier, StringComparison.OrdinalIgnoreCase));
        var candidates = new List<(string Name, IReadOnlyDictionary<CodField, string[]> Aliases)>();
        if (settings.Headers.Count > 0) candidates.Add(("saved", settings.Headers.ToDictionary(p => p.Key, p => new[] { p.Value })));
        if (own is not null) candidates.Add((own.Name, own.Headers));
        // Every alias we know, for a carrier without a column set of its own.
        candidates.Add(("aliases", Enum.GetValues<CodField>().ToDictionary(f => f,
            f => Formats.SelectMany(x => x.Headers.TryGetValue(f, out var a) ? a : []).Distinct().ToArray())));

        var best = (Index: -1, Columns: new Dictionary<CodField, int>(), Source: "none");
        for (var h = 0; h < Math.Min(10, rows.Count); h++)
        {
            var folded = rows[h].Select(Fold).ToArray();
            foreach (var (name, aliases) in candidates)
            {
                var columns = Columns(folded, aliases);
                if (columns.Count > best.Columns.Count) best = (h, columns, name);
            }
        }
        if (best.Index < 0) best.Index = Math.Max(0, rows.FindIndex(r => r.Count(c => !string.IsNullOrWhiteSpace(c)) >= 2));
        var headers = best.Index < rows.Count ? rows[best.Index] : [];
        var samples = rows.Skip(best.Index + 1).Where(r => !r.All(string.IsNullOrWhiteSpace)).Take(3).ToList();
        var words = best.Columns.TryGetValue(CodField.Status, out var statusColumn)
            ? StatusWordsIn(rows, best.Index, statusColumn)
            : [];
        return new(best.Index, headers, samples, best.Columns, best.Source, words, KnownStatuses(words, settings));
    }

    /// <summary>The distinct status words (folded) of a column, in first-seen order.</summary>
    public static IReadOnlyList<string> StatusWordsIn(List<string[]> rows, int headerIndex, int column)
    {
        var words = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var r = headerIndex + 1; r < rows.Count; r++)
        {
            if (column >= rows[r].Length) continue;
            var word = Fold(rows[r][column]);
            if (word.Length > 0 && seen.Add(word)) words.Add(word);
            if (words.Count > 200) break;
        }
        return words;
    }

    /// <summary>What each word is known to mean: universal words, then the carrier's confirmed ones.</summary>
    public static IReadOnlyDictionary<string, string> KnownStatuses(IEnumerable<string> words, CodCarrierSettings settings)
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var w in words)
        {
            if (settings.StatusWords.TryGetValue(w, out var s) || StatusWords.TryGetValue(w, out s)) known[w] = s;
        }
        return known;
    }

    private static CodParseResult Read(CodStatementFormat? format, Dictionary<CodField, int> columns, List<string[]> rows, int headerIndex,
        string carrier, CodCarrierSettings settings, IReadOnlyList<ParsedCodAdjustment> adjustments)
    {
        var missing = CodStatementFormat.Required.Where(f => !columns.ContainsKey(f)).ToList();
        if (missing.Count > 0)
            return new(format, [], []) { NeedsMapping = Propose(rows, carrier, settings) };
        // Every status word must be known before any row is read: an unknown one is asked about, not failed on.
        var words = StatusWordsIn(rows, headerIndex, columns[CodField.Status]);
        var known = KnownStatuses(words, settings);
        if (words.Any(w => !known.ContainsKey(w)))
        {
            var proposal = Propose(rows, carrier, settings);
            // Keep the columns that were found (the saved or built-in ones), only the words are asked about.
            return new(format, [], []) { NeedsMapping = proposal with { HeaderIndex = headerIndex, Headers = rows[headerIndex], Columns = columns,
                StatusWords = words, KnownStatuses = known } };
        }
        var result = ReadLines(format, columns, rows, headerIndex, known);
        return result with { Adjustments = result.Errors.Count == 0 ? adjustments : [] };
    }

    /// <summary>Session-level fees and refunds: the extra sheets of an XLSX named like GHN's "TẠM THU" / "ĐÃ HOÀN".</summary>
    public static IReadOnlyList<ParsedCodAdjustment> ReadAdjustments(byte[] content, CancellationToken cancellationToken = default)
    {
        if (!IsZip(content)) return [];
        var result = new List<ParsedCodAdjustment>();
        using var stream = new MemoryStream(content);
        var sheets = MiniExcel.GetSheetNames(stream);
        foreach (var sheet in sheets.Skip(1))
        {
            if (!AdjustmentSheets.TryGetValue(Fold(sheet), out var kind)) continue;
            stream.Position = 0;
            var rows = ReadSheet(stream, sheet, cancellationToken);
            var headerIndex = rows.FindIndex(r => r.Any(c => AdjustmentAmountHeaders.Any(a => Fold(a) == Fold(c))));
            if (headerIndex < 0) throw new FormatException($"Trang «{sheet}»: không thấy cột số tiền ({string.Join(", ", AdjustmentAmountHeaders)}).");
            var folded = rows[headerIndex].Select(Fold).ToArray();
            var amountColumn = Array.FindIndex(folded, c => AdjustmentAmountHeaders.Any(a => Fold(a) == c));
            var textColumn = Array.FindIndex(folded, c => AdjustmentTextHeaders.Any(a => Fold(a) == c));
            for (var r = headerIndex + 1; r < rows.Count; r++)
            {
                var row = rows[r];
                var amountText = amountColumn < row.Length ? row[amountColumn].Trim() : "";
                if (amountText.Length == 0) continue;
                if (!TryParseVnd(amountText, out var amount))
                    throw new FormatException($"Trang «{sheet}», dòng {r + 1}: số tiền «{amountText}» không hợp lệ.");
                if (amount == 0) continue;
                var text = textColumn >= 0 && textColumn < row.Length ? row[textColumn].Trim() : "";
                result.Add(new(kind, sheet, r + 1, text, amount));
            }
        }
        return result;
    }

    private static CodParseResult ReadLines(CodStatementFormat? format, Dictionary<CodField, int> columns, List<string[]> rows, int headerIndex,
        IReadOnlyDictionary<string, string> statuses)
    {
        var errors = new List<string>();
        var badRows = 0;
        var lines = new List<ParsedCodLine>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string Cell(string[] row, CodField field) =>
            columns.TryGetValue(field, out var i) && i < row.Length ? row[i].Trim() : "";

        for (var r = headerIndex + 1; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.All(string.IsNullOrWhiteSpace)) continue;
            var rowNumber = r + 1;
            var problems = new List<string>();

            var tracking = Cell(row, CodField.TrackingCode).ToUpperInvariant();
            if (tracking.Length == 0) problems.Add("thiếu mã vận đơn");
            else if (tracking.Length > 50) problems.Add("mã vận đơn dài quá 50 ký tự");
            else if (Regex.IsMatch(tracking, @"^\d+([.,]\d+)?E\+\d+$"))
                problems.Add($"mã vận đơn «{tracking}» bị Excel viết dạng số mũ: hãy định dạng cột là Văn bản rồi xuất lại");
            else if (seen.TryGetValue(tracking, out var firstRow)) problems.Add($"mã vận đơn {tracking} trùng với dòng {firstRow}");
            else seen[tracking] = rowNumber;

            long Money(CodField field, string name, bool required)
            {
                var text = Cell(row, field);
                if (text.Length == 0)
                {
                    if (required) problems.Add($"thiếu {name}");
                    return 0;
                }
                if (TryParseVnd(text, out var value)) return value;
                problems.Add($"{name} «{text}» không phải số tiền hợp lệ (đồng, không có số lẻ)");
                return 0;
            }
            var cod = Money(CodField.Cod, "tiền thu hộ", required: true);
            var shipping = Money(CodField.ShippingFee, "phí vận chuyển", required: false);
            var codFee = Money(CodField.CodFee, "phí thu hộ", required: false);
            var returnFee = Money(CodField.ReturnFee, "phí hoàn hàng", required: false);

            var statusText = Cell(row, CodField.Status);
            var status = statuses.GetValueOrDefault(Fold(statusText));
            if (status is null) problems.Add($"thiếu trạng thái");

            DateOnly? Date(CodField field, string name)
            {
                var text = Cell(row, field);
                if (text.Length == 0) return null;
                if (TryParseDate(text, out var d)) return d;
                problems.Add($"{name} «{text}» không phải ngày hợp lệ (dd/mm/yyyy)");
                return null;
            }
            var deliveredOn = Date(CodField.DeliveredOn, "ngày giao");
            var remittedOn = Date(CodField.RemittedOn, "ngày đối soát");
            if (status is CodLineStatus.Delivered or CodLineStatus.Partial && deliveredOn is null && columns.ContainsKey(CodField.DeliveredOn)
                && Cell(row, CodField.DeliveredOn).Length == 0)
                problems.Add("đơn đã giao nhưng thiếu ngày giao");
            if (status is CodLineStatus.Returned or CodLineStatus.Lost && cod > 0)
                problems.Add("đơn hoàn hoặc thất lạc không thể có tiền thu hộ");

            var orderCode = Cell(row, CodField.OrderCode);
            if (problems.Count > 0)
            {
                // Every bad row is counted; the first few hundred are listed (a page of 200,000 errors helps nobody).
                if (++badRows <= MaxListedErrors) errors.Add($"Dòng {rowNumber}: {string.Join("; ", problems)}.");
            }
            else lines.Add(new ParsedCodLine(rowNumber, tracking, orderCode.Length == 0 ? null : orderCode, cod, shipping, codFee,
                returnFee, status!, deliveredOn, remittedOn, statusText));
            if (lines.Count + badRows > MaxLines)
            {
                errors.Insert(0, $"Tệp có hơn {MaxLines.ToString("N0", Vietnamese)} dòng: hãy chia nhỏ.");
                break;
            }
        }
        if (badRows > MaxListedErrors)
            errors.Add($"… và {(badRows - MaxListedErrors).ToString("N0", Vietnamese)} dòng lỗi khác (chỉ liệt kê {MaxListedErrors} dòng đầu).");
        if (lines.Count == 0 && errors.Count == 0) errors.Add("Tệp không có dòng nào dưới tiêu đề.");
        return new(format, errors.Count == 0 ? lines : [], errors);
    }

    private static readonly Regex Grouped = new(@"^\d{1,3}([.,]\d{3})+$", RegexOptions.Compiled);
    private static readonly Regex Currency = new(@"(?i)\s*(đ|₫|vnđ|vnd|dong|đồng)\s*$", RegexOptions.Compiled);

    /// <summary>Whole VND: "1.250.000", "1,250,000 đ", "1250000", "1 250 000 ₫", "1250000.00". Never negative, never a fraction.</summary>
    public static bool TryParseVnd(string text, out long value)
    {
        value = 0;
        var t = Currency.Replace(text.Trim(), "").Replace(" ", "").Replace("\u00a0", "");
        if (t.EndsWith(".00", StringComparison.Ordinal) || t.EndsWith(",00", StringComparison.Ordinal)) t = t[..^3];
        if (t.EndsWith(".0", StringComparison.Ordinal) && !Grouped.IsMatch(t)) t = t[..^2];
        if (Grouped.IsMatch(t)) t = t.Replace(".", "").Replace(",", "");
        return t.Length is > 0 and <= 15 && t.All(char.IsAsciiDigit) && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static readonly string[] DateFormats =
        ["dd/MM/yyyy", "d/M/yyyy", "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss", "d/M/yyyy H:mm", "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss",
         "dd-MM-yyyy", "yyyy-MM-ddTHH:mm:ss"];

    public static bool TryParseDate(string text, out DateOnly date)
    {
        date = default;
        if (!DateTime.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt)) return false;
        date = DateOnly.FromDateTime(dt);
        return true;
    }
}
