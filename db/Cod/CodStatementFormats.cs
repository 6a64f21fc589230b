using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cho40.Db.Domain;

namespace Cho40.Db;

/// <summary>The fields of one COD statement line, whatever a carrier calls its columns.</summary>
public enum CodField { TrackingCode, OrderCode, Cod, ShippingFee, CodFee, ReturnFee, Status, DeliveredOn, RemittedOn }

public static class CodLineStatus
{
    public const string Delivered = "delivered";
    public const string Returned = "returned";
    public const string Lost = "lost";
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
    long CodFeeVnd, long ReturnFeeVnd, string Status, DateOnly? DeliveredOn, DateOnly? RemittedOn);

public sealed record CodParseResult(CodStatementFormat? Format, IReadOnlyList<ParsedCodLine> Lines, IReadOnlyList<string> Errors);

/// <summary>
/// Reading carriers' COD statements (CSV or XLSX). Every column set lives in <see cref="Formats"/>: adding a
/// carrier, or a header a carrier renamed, is one line there. All problems of a file are collected, by row.
/// </summary>
public static class CodStatementFormats
{
    public const int MaxLines = 200_000;

    /// <summary>The canonical template's headers, in order (also the downloadable template).</summary>
    public static readonly string[] CanonicalHeaders =
        ["Mã vận đơn", "Mã đơn hàng", "Tiền thu hộ", "Phí vận chuyển", "Phí thu hộ", "Phí hoàn hàng", "Trạng thái", "Ngày giao", "Ngày đối soát"];

    // GHN and GHTK header names below follow what their shop portals' COD reconciliation ("đối soát COD")
    // exports are commonly described with; they could not be checked against a real export file here, so
    // each field takes several aliases. See README "COD settlement".
    public static readonly IReadOnlyList<CodStatementFormat> Formats =
    [
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
            [CodField.TrackingCode] = ["Mã đơn GHTK", "Mã vận đơn GHTK", "Mã GHTK"],
            [CodField.OrderCode] = ["Mã đơn shop", "Mã đơn hàng shop", "Mã đơn khách hàng"],
            [CodField.Cod] = ["Tiền thu hộ", "Tiền CoD", "Thu hộ"],
            [CodField.ShippingFee] = ["Phí ship", "Phí giao hàng", "Phí vận chuyển"],
            [CodField.CodFee] = ["Phí thu hộ", "Phí CoD"],
            [CodField.ReturnFee] = ["Phí trả hàng", "Phí hoàn hàng", "Phí hoàn"],
            [CodField.Status] = ["Trạng thái", "Trạng thái đơn hàng"],
            [CodField.DeliveredOn] = ["Ngày giao", "Ngày giao hàng", "Ngày hoàn thành"],
            [CodField.RemittedOn] = ["Ngày đối soát", "Ngày chuyển tiền"],
        }),
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
    ];

    /// <summary>Carrier status words (folded) → our three statuses.</summary>
    private static readonly Dictionary<string, string> StatusWords = new()
    {
        ["da giao"] = CodLineStatus.Delivered, ["giao thanh cong"] = CodLineStatus.Delivered, ["da giao hang"] = CodLineStatus.Delivered,
        ["hoan tat"] = CodLineStatus.Delivered, ["da doi soat"] = CodLineStatus.Delivered, ["delivered"] = CodLineStatus.Delivered,
        ["da tra hang"] = CodLineStatus.Returned, ["tra hang"] = CodLineStatus.Returned, ["hoan hang"] = CodLineStatus.Returned,
        ["da hoan"] = CodLineStatus.Returned, ["chuyen hoan"] = CodLineStatus.Returned, ["da chuyen hoan"] = CodLineStatus.Returned,
        ["returned"] = CodLineStatus.Returned,
        ["that lac"] = CodLineStatus.Lost, ["mat hang"] = CodLineStatus.Lost, ["hang that lac"] = CodLineStatus.Lost,
        ["lost"] = CodLineStatus.Lost,
    };

    public static string Fold(string text) =>
        Regex.Replace(Slug.ToAscii(text).ToLowerInvariant().Replace('_', ' '), @"[\s\u00a0]+", " ").Trim();

    /// <summary>The canonical template as CSV (UTF-8 with BOM so Excel shows Vietnamese), with two example rows.</summary>
    public static byte[] CanonicalTemplateCsv()
    {
        var text = string.Join(",", CanonicalHeaders) + "\r\n"
            + "GHN5K2Q8X7,DH-7KQ3XM,\"1.250.000\",30000,12500,0,Đã giao,05/11/2026,12/11/2026\r\n"
            + "GHN5K2Q9A1,DH-8MN4PQ,0,30000,0,15000,Đã trả hàng,06/11/2026,12/11/2026\r\n";
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)];
    }

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

    /// <summary>
    /// Finds the header row (within the first 10 rows: carriers put a title above it), the column set, and
    /// reads every line. Returns every problem, in Vietnamese, with its row number as a spreadsheet shows it.
    /// </summary>
    public static CodParseResult Parse(byte[] content, string carrier, SpreadsheetLimits? limits = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            // Streamed: the first rows are kept to find the header, the lines are read one by one up to the cap.
            using var rows = SpreadsheetReader.Read(new MemoryStream(content, writable: false), limits ?? Limits, cancellationToken).GetEnumerator();
            var head = new List<SpreadsheetRow>();
            while (head.Count < 10 && rows.MoveNext()) head.Add(rows.Current);
            return ParseRows(head, rows, carrier);
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
            return new(null, [], ["Không đọc được tệp: hãy tải lên tệp CSV (UTF-8) hoặc Excel (.xlsx)."]);
        }
    }

    private static CodParseResult ParseRows(List<SpreadsheetRow> head, IEnumerator<SpreadsheetRow> rest, string carrier)
    {
        for (var h = 0; h < head.Count; h++)
        {
            var folded = head[h].Cells.Select(Fold).ToArray();
            foreach (var format in Formats)
            {
                var columns = new Dictionary<CodField, int>();
                foreach (var (field, aliases) in format.Headers)
                {
                    var index = Array.FindIndex(folded, c => aliases.Any(a => Fold(a) == c));
                    if (index >= 0) columns[field] = index;
                }
                // A carrier's format is recognised by its own tracking-code column; ours by all required columns.
                if (!columns.ContainsKey(CodField.TrackingCode)) continue;
                var missing = CodStatementFormat.Required.Where(f => !columns.ContainsKey(f)).ToList();
                if (missing.Count > 0)
                    return new(format, [], [$"Thiếu cột: {string.Join(", ", missing.Select(f => format.Headers[f][0]))} (mẫu {format.Label})."]);
                if (format.Carrier is not null && !string.Equals(format.Carrier, carrier, StringComparison.OrdinalIgnoreCase))
                    return new(format, [], [$"Tệp theo mẫu {format.Label} nhưng đơn vị vận chuyển đã chọn là {carrier}."]);
                return ReadLines(format, columns, Lines(head.Skip(h + 1), rest));
            }
        }
        return new(null, [], [
            $"Không nhận ra dòng tiêu đề. Mẫu Chợ 4.0 cần các cột: {string.Join(", ", CanonicalHeaders)}; hoặc dùng tệp đối soát của GHN, GHTK.",
        ]);
    }

    private static IEnumerable<SpreadsheetRow> Lines(IEnumerable<SpreadsheetRow> buffered, IEnumerator<SpreadsheetRow> rest)
    {
        foreach (var row in buffered) yield return row;
        while (rest.MoveNext()) yield return rest.Current;
    }

    private static CodParseResult ReadLines(CodStatementFormat format, Dictionary<CodField, int> columns, IEnumerable<SpreadsheetRow> rows)
    {
        var errors = new List<string>();
        var badRows = 0;
        var lines = new List<ParsedCodLine>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string Cell(string[] row, CodField field) =>
            columns.TryGetValue(field, out var i) && i < row.Length ? row[i].Trim() : "";

        foreach (var (rowNumber, row) in rows)
        {
            if (row.All(string.IsNullOrWhiteSpace)) continue;
            var problems = new List<string>();

            var tracking = Cell(row, CodField.TrackingCode).ToUpperInvariant();
            if (tracking.Length == 0) problems.Add("thiếu mã vận đơn");
            else if (tracking.Length > 50) problems.Add("mã vận đơn dài quá 50 ký tự");
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
            string? status = StatusWords.GetValueOrDefault(Fold(statusText));
            if (status is null) problems.Add($"trạng thái «{statusText}» không rõ (dùng: Đã giao, Đã trả hàng, Thất lạc)");

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
            if (status == CodLineStatus.Delivered && deliveredOn is null && columns.ContainsKey(CodField.DeliveredOn)
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
                returnFee, status!, deliveredOn, remittedOn));
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

    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

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
