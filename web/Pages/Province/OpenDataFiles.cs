using System.Data;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.Net.Http.Headers;
using Sylvan.Data.Csv;

namespace Cho40.Web.Pages;

/// <summary>One identifier column of the open-data files (never suppressed: it names the period and the place).</summary>
public sealed record OpenDataKey(string Name, string Type, string Vietnamese, string English, Func<ProvinceStat, object?> Value);

/// <summary>
/// The open data files under <c>/du-lieu-mo/</c>: the province aggregates by ISO week and by month as CSV and JSON, and a
/// Frictionless Data Package (<c>datapackage.json</c>) describing every column. Anonymous, CC BY 4.0, small cells
/// suppressed (<see cref="OpenData"/>). Made once per rebuild of the aggregates (cached in memory, keyed by the rebuild)
/// and served with a one-hour Cache-Control and an ETag.
/// </summary>
public sealed class OpenDataFiles(ProvinceQueries province)
{
    public static readonly IReadOnlyDictionary<string, string> Kinds = new Dictionary<string, string> { ["tuan"] = "week", ["thang"] = "month" };

    public static readonly IReadOnlyList<string> FileNames =
        ["cho40-tuan.csv", "cho40-tuan.json", "cho40-thang.csv", "cho40-thang.json", "datapackage.json"];

    public static readonly IReadOnlyList<OpenDataKey> Keys =
    [
        new("period_kind", "string", "Loại kỳ: week (tuần ISO, thứ Hai–Chủ nhật) hoặc month (tháng)", "Period kind: week (ISO week, Monday–Sunday) or month", s => s.PeriodKind),
        new("period", "string", "Kỳ: 2026-W47 (tuần ISO) hoặc 2026-11 (tháng)", "Period: 2026-W47 (ISO week) or 2026-11 (month)", PeriodName),
        new("period_start", "date", "Ngày đầu kỳ (ngày Việt Nam)", "First day of the period (Vietnam calendar day)", s => Day(s.PeriodStart)),
        new("period_end", "date", "Ngày cuối kỳ (tính cả ngày này)", "Last day of the period (inclusive)", s => Day(s.PeriodEnd.AddDays(-1))),
        new("days_reported", "integer", "Số ngày của kỳ đã có báo cáo (kỳ đủ khi bằng số ngày của kỳ)",
            "Days of the period with a daily report (complete when equal to the period's length)", s => s.DaysReported),
        new("complete", "boolean", "Kỳ đã đủ ngày", "Whether every day of the period is reported", s => s.Complete),
        new("scope_kind", "string", "Cấp: province (tỉnh), commune (xã/phường), market (chợ)", "Level: province, commune or market", s => s.ScopeKind),
        new("scope_key", "string", "Khóa của dòng: mã tỉnh | mã tỉnh/mã xã (- khi chưa ghi xã) | mã chợ",
            "Row key: province code | province/commune code (- when not recorded) | market id", s => s.ScopeKey),
        new("province_code", "string", "Mã tỉnh (đơn vị hành chính từ 1/7/2025)", "Province code (administrative units since 1 July 2025)", s => s.ProvinceCode),
        new("province_name", "string", "Tên tỉnh", "Province name", s => s.ProvinceName),
        new("commune_code", "string", "Mã xã/phường (trống: tỉnh, hoặc chưa ghi xã)", "Commune code (empty: province row, or not recorded)", s => s.CommuneCode),
        new("commune_name", "string", "Tên xã/phường", "Commune name", s => s.CommuneName),
        new("market_id", "integer", "Mã chợ trên Chợ 4.0 (dòng cấp chợ)", "Market id on Chợ 4.0 (market rows)", s => s.MarketId),
        new("market_slug", "string", "Địa chỉ trang chợ: /cho/{market_slug}", "Market page address: /cho/{market_slug}", s => s.MarketSlug),
        new("market_name", "string", "Tên chợ", "Market name", s => s.MarketName),
    ];

    private readonly SemaphoreSlim gate = new(1, 1);
    private (long RefreshKey, IReadOnlyDictionary<string, byte[]> Files)? cache;

    /// <summary>The file's bytes and the rebuild they come from; null for an unknown name.</summary>
    public async Task<(byte[] Bytes, ProvinceRefresh? Refresh)?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (!FileNames.Contains(name)) return null;
        var refresh = await province.LatestRefreshAsync(cancellationToken);
        var key = refresh?.RefreshedAt.UtcTicks ?? 0;
        if (cache is { } hit && hit.RefreshKey == key) return (hit.Files[name], refresh);
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (cache is not { } current || current.RefreshKey != key)
            {
                var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                var rows = OpenData.Suppress([.. await province.AllAsync("week", cancellationToken), .. await province.AllAsync("month", cancellationToken)]);
                foreach (var (slug, kind) in Kinds)
                {
                    var ofKind = rows.Where(r => r.Stat.PeriodKind == kind).ToList();
                    files[$"cho40-{slug}.csv"] = Csv(ofKind);
                    files[$"cho40-{slug}.json"] = Json(ofKind, kind, refresh);
                }
                files["datapackage.json"] = DataPackage(refresh);
                cache = (key, files);
            }
            return (cache.Value.Files[name], refresh);
        }
        finally
        {
            gate.Release();
        }
    }

    public static byte[] Csv(IReadOnlyList<OpenDataRow> rows)
    {
        var table = new DataTable("cho40");
        foreach (var k in Keys) table.Columns.Add(k.Name, k.Type switch { "integer" => typeof(long), "boolean" => typeof(bool), _ => typeof(string) });
        foreach (var c in OpenData.Columns) table.Columns.Add(c.Name, typeof(decimal));
        table.Columns.Add("suppressed", typeof(string));
        foreach (var row in rows)
        {
            var values = new List<object>();
            values.AddRange(Keys.Select(k => k.Value(row.Stat) ?? DBNull.Value));
            values.AddRange(OpenData.Columns.Select(c => c.Published(row.Value(c)) is { } v ? (object)v : DBNull.Value));
            values.Add(string.Join(' ', OpenData.Columns.Where(c => row.Suppressed.Contains(c.Name)).Select(c => c.Name)));
            table.Rows.Add([.. values]);
        }
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        {
            // The licence travels with the file: one comment line (datapackage.json declares "#" as the comment character).
            writer.Write("# " + OpenData.LicenceLine + "\r\n");
            using var csv = CsvDataWriter.Create(writer, new CsvDataWriterOptions { NewLine = "\r\n", Culture = CultureInfo.InvariantCulture });
            csv.Write(table.CreateDataReader());
        }
        return stream.ToArray();
    }

    public static byte[] Json(IReadOnlyList<OpenDataRow> rows, string kind, ProvinceRefresh? refresh)
    {
        var array = new JsonArray();
        foreach (var row in rows)
        {
            var item = new JsonObject();
            foreach (var k in Keys) item[k.Name] = Node(k.Value(row.Stat));
            foreach (var c in OpenData.Columns)
            {
                if (c.SellerFigure && row.Stat.ScopeKind == "market") continue; // not applicable: sellers do not belong to markets
                item[c.Name] = c.Published(row.Value(c)) is { } v ? JsonValue.Create(v) : null;
            }
            item["suppressed"] = new JsonArray([.. OpenData.Columns.Where(c => row.Suppressed.Contains(c.Name)).Select(c => (JsonNode)c.Name)]);
            array.Add(item);
        }
        var document = new JsonObject
        {
            ["title"] = kind == "week" ? "Chợ 4.0 — chỉ số chợ 4.0 theo tuần / indicators by ISO week" : "Chợ 4.0 — chỉ số chợ 4.0 theo tháng / indicators by month",
            ["licence"] = OpenData.Licence,
            ["licence_url"] = OpenData.LicenceUrl,
            ["attribution"] = "Chợ 4.0",
            ["schema"] = "datapackage.json",
            ["period_kind"] = kind,
            ["refreshed_at"] = refresh?.RefreshedAt.ToString("O", CultureInfo.InvariantCulture),
            ["data_through"] = refresh?.LastDay is { } last ? Day(last) : null,
            ["suppression"] = $"Figures about 1–{OpenData.Threshold - 1} stalls or sellers are null and named in each row's \"suppressed\" list, "
                              + "with further cells suppressed so none can be worked out from totals. Seller figures are absent on market rows.",
            ["rows"] = array,
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, JsonOptions);
    }

    /// <summary>A Frictionless Data Package: the licence and, for each file, every column with its type, unit and meaning.</summary>
    public static byte[] DataPackage(ProvinceRefresh? refresh)
    {
        JsonArray Fields()
        {
            var fields = new JsonArray();
            foreach (var k in Keys)
                fields.Add(new JsonObject { ["name"] = k.Name, ["type"] = k.Type, ["title"] = k.English, ["description"] = $"{k.Vietnamese} / {k.English}" });
            foreach (var c in OpenData.Columns)
                fields.Add(new JsonObject
                {
                    ["name"] = c.Name, ["type"] = c.Type, ["title"] = c.English, ["description"] = $"{c.Vietnamese} / {c.English}",
                    ["unit"] = c.Unit, ["constraints"] = new JsonObject { ["minimum"] = 0 },
                    ["suppressible"] = c.Contributors is not null || c.Name == OpenData.QrShareColumn,
                });
            fields.Add(new JsonObject
            {
                ["name"] = "suppressed", ["type"] = "string", ["title"] = "Suppressed figures",
                ["description"] = "Tên các cột bị che ở dòng này, cách nhau bởi dấu cách / names of this row's suppressed columns, space-separated",
            });
            return fields;
        }
        JsonObject Resource(string slug, string format) => new()
        {
            ["name"] = $"cho40-{slug}-{format}",
            ["path"] = $"cho40-{slug}.{format}",
            ["format"] = format,
            ["mediatype"] = format == "csv" ? "text/csv" : "application/json",
            ["encoding"] = format == "csv" ? "utf-8-sig" : "utf-8",
            ["dialect"] = format == "csv" ? new JsonObject { ["delimiter"] = ",", ["commentChar"] = "#", ["header"] = true } : null,
            ["schema"] = format == "csv"
                ? new JsonObject
                {
                    ["fields"] = Fields(), ["missingValues"] = new JsonArray(""),
                    ["primaryKey"] = new JsonArray("period_start", "scope_kind", "scope_key"),
                }
                : null,
        };
        var package = new JsonObject
        {
            ["profile"] = "data-package",
            ["name"] = "cho40-province-indicators",
            ["title"] = "Chợ 4.0 — chỉ số chợ 4.0 theo tỉnh, xã và chợ / Chợ 4.0 indicators by province, commune and market",
            ["description"] = "Weekly (ISO week, Monday–Sunday) and monthly figures of Vietnam calendar days, rebuilt nightly from the "
                              + "stored daily reports. No personal data; figures about fewer than 5 stalls or sellers are suppressed.",
            ["licenses"] = new JsonArray(new JsonObject
            {
                ["name"] = "CC-BY-4.0", ["path"] = OpenData.LicenceUrl, ["title"] = "Creative Commons Attribution 4.0 International",
            }),
            ["created"] = refresh?.RefreshedAt.ToString("O", CultureInfo.InvariantCulture),
            ["resources"] = new JsonArray(Resource("tuan", "csv"), Resource("tuan", "json"), Resource("thang", "csv"), Resource("thang", "json")),
        };
        return JsonSerializer.SerializeToUtf8Bytes(package, JsonOptions);
    }

    public static IEndpointRouteBuilder MapOpenData(IEndpointRouteBuilder app)
    {
        app.MapGet("/du-lieu-mo/{name}", async (string name, HttpContext context, OpenDataFiles files, CancellationToken cancellationToken) =>
        {
            if (await files.GetAsync(name, cancellationToken) is not { } file) return Results.NotFound();
            var etag = new EntityTagHeaderValue($"\"{file.Refresh?.RefreshedAt.UtcTicks ?? 0:x}-{name}\"");
            context.Response.Headers.CacheControl = "public, max-age=3600";
            context.Response.Headers.Link = $"<{OpenData.LicenceUrl}>; rel=\"license\"";
            var type = name.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
            return Results.File(file.Bytes, type, name.EndsWith(".csv", StringComparison.Ordinal) ? name : null, lastModified: file.Refresh?.RefreshedAt,
                entityTag: etag);
        }).RequireRateLimiting(RateLimits.PublicApiPolicy);
        return app;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static JsonNode? Node(object? value) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        long number => JsonValue.Create(number),
        int number => JsonValue.Create(number),
        bool flag => JsonValue.Create(flag),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string PeriodName(ProvinceStat s)
    {
        if (s.PeriodKind == "month") return s.PeriodStart.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var monday = s.PeriodStart.ToDateTime(TimeOnly.MinValue);
        return $"{ISOWeek.GetYear(monday)}-W{ISOWeek.GetWeekOfYear(monday):00}";
    }
}
