using System.Data;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Catalog;
using Microsoft.Extensions.Localization;
using MiniExcelLibs;
using Sylvan.Data.Csv;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>A problem with one row (or with the whole file, row 0) of an imported listings file.</summary>
public sealed record ImportError(int Row, string Column, string Message);

/// <summary>
/// The listings file, XLSX or CSV, with Vietnamese column names (documented in the README and on the import
/// page). Export writes exactly what import reads: a file exported, edited in Excel and imported again updates
/// the same listings (matched by ma_san_pham, the product's slug).
/// </summary>
public static partial class CatalogFile
{
    public const long MaxFileBytes = 10 * 1024 * 1024;
    public const int MaxRows = 5_000;

    public const string Slug = "ma_san_pham", Name = "ten", Category = "danh_muc", Unit = "don_vi", Price = "gia",
        Stock = "ton_kho", Ocop = "ocop", Certifications = "chung_nhan", Province = "tinh", Commune = "xa",
        Status = "trang_thai", Description = "mo_ta";

    public static readonly string[] Columns =
        [Slug, Name, Category, Unit, Price, Stock, Ocop, Certifications, Province, Commune, Status, Description];

    private static readonly string[] RequiredColumns = [Name, Category, Unit, Price];

    /// <summary>
    /// What reading one listings file may cost (see <see cref="SpreadsheetReader"/>): the columns above, <see cref="MaxRows"/>
    /// rows (with room for blank lines), a few tens of MB unpacked.
    /// </summary>
    public static readonly SpreadsheetLimits Limits = new()
    {
        MaxColumns = 64,
        MaxRows = MaxRows + 1 + 1000,
        MaxPartBytes = 64L * 1024 * 1024,
        MaxSharedStrings = 200_000,
        MaxSharedStringChars = 16L * 1024 * 1024,
        Timeout = TimeSpan.FromSeconds(30),
        DateFormat = "yyyy-MM-dd",
    };

    /// <summary>
    /// Reads rows (header names folded: "Tên" → "ten", "Mã sản phẩm" → "ma_san_pham"), streaming within
    /// <paramref name="limits"/>. Row numbers are as the spreadsheet shows them.
    /// </summary>
    public static (List<(int Row, Dictionary<string, string> Values)> Rows, ImportError? FileError) Read(byte[] bytes, SpreadsheetLimits limits,
        IStringLocalizer t, CancellationToken cancellationToken)
    {
        var csv = SpreadsheetReader.KindOf(bytes) == SpreadsheetKind.Csv;
        string[]? header = null;
        var rows = new List<(int, Dictionary<string, string>)>();
        try
        {
            foreach (var (row, read) in SpreadsheetReader.Read(new MemoryStream(bytes, writable: false), limits, cancellationToken))
            {
                // Undo WriteCsv's formula guard (XLSX cells are written as text and need none).
                var cells = csv ? read.Select(SpreadsheetText.Restore).ToArray() : read;
                if (header is null)
                {
                    header = cells.Select(FoldHeader).ToArray();
                    var missing = RequiredColumns.Where(c => !header.Contains(c)).ToList();
                    if (missing.Count > 0)
                        return ([], new ImportError(0, "", t["Thiếu cột: {0}. Hãy dùng tệp mẫu.", string.Join(", ", missing)]));
                    continue;
                }
                if (cells.All(string.IsNullOrWhiteSpace)) continue;
                if (rows.Count == MaxRows) return ([], TooManyRows(t));
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var c = 0; c < header.Length && c < cells.Length; c++)
                    if (header[c].Length > 0) values.TryAdd(header[c], cells[c]);
                rows.Add((row, values));
            }
        }
        catch (SpreadsheetFormatException e) when (e.NotUtf8)
        {
            return ([], new ImportError(0, "", t["Tệp CSV phải lưu dạng UTF-8 (trong Excel: Lưu thành › CSV UTF-8)."]));
        }
        catch (SpreadsheetFormatException)
        {
            return ([], new ImportError(0, "", t["Không đọc được tệp. Hãy dùng tệp .xlsx hoặc .csv theo mẫu."]));
        }
        catch (SpreadsheetLimitException e)
        {
            return ([], new ImportError(0, "", e.Limit switch
            {
                SpreadsheetLimit.Rows => TooManyRows(t).Message,
                SpreadsheetLimit.Time => t["Đọc tệp mất quá {0} giây: tệp có quá nhiều ô. Hãy xoá các trang, cột, dòng thừa hoặc chia nhỏ tệp.",
                    limits.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)],
                SpreadsheetLimit.SharedStrings => t["Tệp Excel có quá nhiều ô chữ (hơn {0} ô, hoặc hơn {1} ký tự): hãy xoá các trang, dòng thừa hoặc chia nhỏ tệp.",
                    limits.MaxSharedStrings.ToString("N0", Vietnamese), limits.MaxSharedStringChars.ToString("N0", Vietnamese)],
                SpreadsheetLimit.CellLength => t["Có ô dài hơn {0} ký tự: hãy rút gọn.", limits.MaxCellChars.ToString("N0", Vietnamese)],
                SpreadsheetLimit.Entries => t["Tệp Excel có quá nhiều phần bên trong: hãy lưu lại thành tệp .xlsx thông thường."],
                _ => t["Tệp Excel khi giải nén lớn hơn {0} MB: hãy xoá các trang, cột, dòng thừa hoặc chia nhỏ tệp.",
                    limits.MaxPartBytes / (1024 * 1024)],
            }));
        }
        if (header is null) return ([], new ImportError(0, "", t["Tệp không có dòng tiêu đề."]));
        if (rows.Count == 0) return ([], new ImportError(0, "", t["Tệp không có dòng sản phẩm nào."]));
        return (rows, null);
    }

    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    private static ImportError TooManyRows(IStringLocalizer t) =>
        new(0, "", t["Tệp có hơn {0} dòng sản phẩm. Hãy chia thành nhiều tệp.", MaxRows.ToString("N0", Vietnamese)]);

    /// <summary>Checks one row on its own (formats, lengths); references to categories and places are checked in SQL.</summary>
    public static CatalogFileRow? Validate(int row, Dictionary<string, string> v, List<ImportError> errors, IStringLocalizer t)
    {
        var before = errors.Count;
        string Get(string column) => v.TryGetValue(column, out var value) ? value.Trim() : "";
        void Fail(string column, string message) => errors.Add(new ImportError(row, column, message));

        var slug = Get(Slug).ToLowerInvariant();
        if (slug.Length > 0 && (slug.Length > 80 || !SlugPattern().IsMatch(slug)))
            Fail(Slug, t["Mã sản phẩm chỉ gồm chữ không dấu, số và dấu gạch ngang (tối đa 80 ký tự)."]);
        var name = Get(Name);
        if (name.Length is < 2 or > 200) Fail(Name, t["Tên cần từ 2 đến 200 ký tự."]);
        var category = Get(Category);
        if (category.Length == 0) Fail(Category, t["Vui lòng chọn danh mục."]);
        var unit = Get(Unit);
        if (unit.Length is < 1 or > 40) Fail(Unit, t["Vui lòng nhập đơn vị bán (tối đa 40 ký tự), ví dụ kg, gói 200 g, hộp."]);
        var price = CatalogRules.ParsePrice(Get(Price), out var priceError);
        if (priceError is not null) Fail(Price, t[priceError] + " (" + Quote(Get(Price)) + ")");
        var stockText = Get(Stock);
        var stock = CatalogRules.ParseStock(stockText.Length == 0 ? "0" : stockText, out var stockError);
        if (stockError is not null) Fail(Stock, t[stockError] + " (" + Quote(stockText) + ")");
        if (!CatalogRules.TryParseOcop(Get(Ocop), out var stars, out var ocopError)) Fail(Ocop, t[ocopError!]);
        var certifications = CatalogRules.ParseCertifications([Get(Certifications)], out var certError);
        if (certError is not null) Fail(Certifications, t[certError]);
        if (!CatalogRules.TryParseStatus(Get(Status), out var status, out var statusError)) Fail(Status, t[statusError!]);
        var description = v.TryGetValue(Description, out var d) ? d.Trim() : "";
        if (description.Length > CatalogRules.MaxDescriptionLength) Fail(Description, t["Mô tả tối đa {0} ký tự.", CatalogRules.MaxDescriptionLength]);

        if (errors.Count > before) return null;
        return new CatalogFileRow(row, slug.Length == 0 ? null : slug, name, category, unit, price!.Value, stock!.Value, stars,
            certifications!, Get(Province), Get(Commune), status, description);
    }

    /// <summary>What a problem found in SQL means, next to its column.</summary>
    public static ImportError Explain(ImportProblem p, IStringLocalizer t) => p.Code switch
    {
        "category" => new ImportError(p.RowNumber, Category, t["Không có danh mục “{0}”.", p.Value]),
        "province" => new ImportError(p.RowNumber, Province, t["Không có tỉnh / thành phố “{0}” (34 tỉnh, thành từ 1/7/2025).", p.Value]),
        "commune_without_province" => new ImportError(p.RowNumber, Commune, t["Đã ghi xã / phường thì phải ghi tỉnh / thành phố."]),
        "commune" => new ImportError(p.RowNumber, Commune, t["Không tìm thấy xã / phường “{0}” trong tỉnh đã ghi.", p.Value]),
        "slug_other_seller" => new ImportError(p.RowNumber, Slug, t["Mã sản phẩm “{0}” đã được người bán khác dùng.", p.Value]),
        "slug_duplicate" => new ImportError(p.RowNumber, Slug, t["Mã sản phẩm “{0}” lặp lại trong tệp.", p.Value]),
        _ => new ImportError(p.RowNumber, "", p.Code),
    };

    // ---------------------------------------------------------------------------------------------
    // Writing
    // ---------------------------------------------------------------------------------------------

    public static byte[] WriteXlsx(IReadOnlyList<CatalogExportRow> listings)
    {
        var rows = listings.Select(ToCells).ToList();
        using var stream = new MemoryStream();
        if (rows.Count == 0)
        {
            // An empty list still carries the header row.
            var header = new DataTable("san_pham");
            foreach (var c in Columns) header.Columns.Add(c, typeof(string));
            stream.SaveAs(header, sheetName: "san_pham");
        }
        else
        {
            stream.SaveAs(rows, sheetName: "san_pham");
        }
        return stream.ToArray();
    }

    public static byte[] WriteCsv(IReadOnlyList<CatalogExportRow> listings)
    {
        var table = new DataTable();
        foreach (var c in Columns) table.Columns.Add(c, typeof(string));
        foreach (var row in listings)
            table.Rows.Add(ToCells(row).Values
                .Select(v => v is string text ? Cho40.Db.Domain.SpreadsheetText.Neutralise(text) : Convert.ToString(v, CultureInfo.InvariantCulture) ?? "")
                .ToArray<object>());
        using var stream = new MemoryStream();
        // A byte-order mark: Excel then opens the Vietnamese text as UTF-8.
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        using (var csv = CsvDataWriter.Create(writer, new CsvDataWriterOptions { NewLine = "\r\n" }))
        {
            csv.Write(table.CreateDataReader());
        }
        return stream.ToArray();
    }

    /// <summary>The template: the header row and two example rows (delete them before importing).</summary>
    public static IReadOnlyList<CatalogExportRow> TemplateExamples =>
    [
        new()
        {
            Name = "Chè búp Tân Cương loại 1", Category = "Chè xanh búp", Unit = "gói 200 g", PriceVnd = 150_000, Stock = 100,
            OcopStars = 4, Certifications = ["VietGAP", "OCOP"], Province = "Thái Nguyên", Commune = "Xã Tân Cương", Status = "draft",
            DescriptionMd = "Chè búp hái tay, sao thủ công.\n\n**Cách pha:** nước 85 °C, hãm 2 phút.",
        },
        new()
        {
            Slug = "gao-bao-thai-dinh-hoa", Name = "Gạo Bao Thai Định Hóa", Category = "Gạo", Unit = "túi 5 kg", PriceVnd = 120_000,
            Stock = 40, Province = "Thái Nguyên", Status = "published",
        },
    ];

    private static Dictionary<string, object?> ToCells(CatalogExportRow r) => new()
    {
        [Slug] = r.Slug,
        [Name] = r.Name,
        [Category] = r.Category,
        [Unit] = r.Unit,
        [Price] = r.PriceVnd,
        [Stock] = r.Stock,
        [Ocop] = r.OcopStars is { } s ? (int)s : null,
        [Certifications] = string.Join("; ", r.Certifications),
        [Province] = r.Province,
        [Commune] = r.Commune,
        [Status] = CatalogRules.StatusWord(r.Status),
        [Description] = r.DescriptionMd,
    };

    // ---------------------------------------------------------------------------------------------
    // Reading
    // ---------------------------------------------------------------------------------------------

    private static string FoldHeader(string header) =>
        HeaderSeparators().Replace(Cho40.Db.Domain.Slug.ToAscii(header).Trim().ToLowerInvariant(), "_");

    private static string Quote(string value) => value.Length > 30 ? value[..30] + "…" : value;

    [GeneratedRegex("^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex(@"[\s/]+")]
    private static partial Regex HeaderSeparators();
}
