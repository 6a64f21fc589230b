using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Cho40.Db;
using Sylvan.Data.Csv;

namespace Cho40.Tests.Province;

/// <summary>
/// The open data files of <see cref="ProvinceWorld"/>, fetched anonymously: licence in the file and the headers, the
/// documented schema, small cells suppressed (market M2 has 3 stalls; commune C2 has one seller) with their complements,
/// no sum leaving a suppressed figure derivable, no personal data.
/// </summary>
[Trait("Speed", "Slow")]
[Collection(ProvinceWorldCollection.Name)]
public sealed class OpenDataTests(ProvinceWorld world)
{
    private async Task<(HttpResponseMessage Response, string Body)> GetAsync(string path)
    {
        using var client = world.App.NewClient();
        var response = await client.Http.GetAsync(path);
        return (response, Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF'));
    }

    /// <summary>The CSV's rows as column → cell text, after its licence comment line.</summary>
    private static List<Dictionary<string, string>> ReadCsv(string body)
    {
        var lines = body.Split("\r\n", 2);
        Assert.StartsWith("# ", lines[0]);
        using var reader = CsvDataReader.Create(new StringReader(lines[1]));
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, string>();
            for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.GetString(i);
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public async Task The_weekly_CSV_carries_its_licence_suppresses_small_cells_with_their_complements_and_no_person()
    {
        var (response, body) = await GetAsync("/du-lieu-mo/cho40-tuan.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("public", response.Headers.CacheControl?.ToString());
        Assert.Contains("rel=\"license\"", string.Join(",", response.Headers.GetValues("Link")));
        Assert.Contains("CC BY 4.0", body.Split('\n')[0]);
        foreach (var personal in new[] { ProvinceWorld.OwnerMark, "0971000101", "0912345678", "Khách thử", "Sạp pv", "CHU SAP" })
            Assert.DoesNotContain(personal, body);

        var rows = ReadCsv(body);
        Dictionary<string, string> Row(string scopeKind, string key) =>
            rows.Single(r => r["period_start"] == "2031-03-03" && r["scope_kind"] == scopeKind && r["scope_key"] == key);
        var m2 = Row("market", world.Markets["pv-m2"].ToString(CultureInfo.InvariantCulture));
        var m1 = Row("market", world.Markets["pv-m1"].ToString(CultureInfo.InvariantCulture));
        var m3 = Row("market", world.Markets["pv-m3"].ToString(CultureInfo.InvariantCulture));
        var c1 = Row("commune", $"{world.Province}/{world.C1}");
        var c2 = Row("commune", $"{world.Province}/{world.C2}");
        var province = Row("province", world.Province);

        foreach (var column in new[] { "stalls", "stalls_active", "takings_qr_vnd", "takings_cash_vnd", "payments_cash", "qr_share_pct" })
        {
            Assert.Equal("", m2[column]);                        // 3 stalls
            Assert.Contains(column, m2["suppressed"].Split(' '));
        }
        foreach (var column in new[] { "stalls", "stalls_active", "takings_cash_vnd", "payments_cash", "qr_share_pct" })
        {
            Assert.Equal("", m1[column]);                        // its only sibling in C1: else C1 − M1 = M2
            Assert.Contains(column, m1["suppressed"].Split(' '));
        }
        foreach (var column in new[] { "stalls", "stalls_active", "takings_cash_vnd" })
        {
            Assert.NotEqual("", c1[column]);
            Assert.NotEqual("", m3[column]);                     // 6 stalls, alone in C2 (C2 = M3 gives nothing away)
        }
        Assert.Equal("1", m2["markets"]);                         // markets are public places
        Assert.Equal("12", c1["stalls"]);                         // M1: 8 + X1 (opened on Friday), M2: 3
        // Only 4 stalls of M3 have a sign: its QR figures (and C2's, the same stalls) are suppressed, and C1's as the
        // province total's complement.
        Assert.Equal("", m3["takings_qr_vnd"]);
        Assert.Equal("", c2["takings_qr_vnd"]);
        Assert.Equal("", c1["takings_qr_vnd"]);
        Assert.NotEqual("", province["takings_qr_vnd"]);
        // C1's sum then already has two unknowns (C1 and M2): M1's QR takings can stay published.
        Assert.NotEqual("", m1["takings_qr_vnd"]);
        // Sellers: C2 has one seller (suppressed), so C1 goes too; the province total stays.
        foreach (var column in new[] { "sellers_online", "products_online" })
        {
            Assert.Equal("", c2[column]);
            Assert.Contains(column, c2["suppressed"].Split(' '));
            Assert.Equal("", c1[column]);
            Assert.NotEqual("", province[column]);
        }
        Assert.Equal("", m1["sellers_online"]);                   // not applicable to a market, not suppressed
        Assert.DoesNotContain("sellers_online", m1["suppressed"].Split(' '));

        AssertNoSumLeavesOneSuppressed(rows);
    }

    [Fact]
    public async Task The_JSON_matches_the_CSV_and_says_null_for_suppressed_and_nothing_for_not_applicable()
    {
        var (_, csvBody) = await GetAsync("/du-lieu-mo/cho40-thang.csv");
        var (response, body) = await GetAsync("/du-lieu-mo/cho40-thang.json");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("CC BY 4.0", root.GetProperty("licence").GetString());
        Assert.Equal("2031-03-11", root.GetProperty("data_through").GetString());
        var csv = ReadCsv(csvBody);
        var items = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(csv.Count, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            Assert.Equal(csv[i]["scope_key"], item.GetProperty("scope_key").GetString());
            var suppressed = item.GetProperty("suppressed").EnumerateArray().Select(e => e.GetString()).ToHashSet();
            foreach (var column in OpenData.Columns)
            {
                if (!item.TryGetProperty(column.Name, out var value))
                {
                    Assert.True(column.SellerFigure && csv[i]["scope_kind"] == "market", $"{column.Name} missing");
                    continue;
                }
                if (suppressed.Contains(column.Name)) Assert.Equal(JsonValueKind.Null, value.ValueKind);
                else Assert.Equal(csv[i][column.Name], value.ValueKind == JsonValueKind.Null ? "" : value.GetRawText());
            }
        }
    }

    [Fact]
    public async Task The_data_package_documents_every_column_with_type_unit_and_meaning_and_the_licence()
    {
        var (_, csvBody) = await GetAsync("/du-lieu-mo/cho40-tuan.csv");
        var header = csvBody.Split("\r\n")[1].Split(',');
        var (response, body) = await GetAsync("/du-lieu-mo/datapackage.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("CC-BY-4.0", json.RootElement.GetProperty("licenses")[0].GetProperty("name").GetString());
        var csvResource = json.RootElement.GetProperty("resources").EnumerateArray().First(r => r.GetProperty("path").GetString() == "cho40-tuan.csv");
        Assert.Equal("#", csvResource.GetProperty("dialect").GetProperty("commentChar").GetString());
        var fields = csvResource.GetProperty("schema").GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(header, fields.Select(f => f.GetProperty("name").GetString()));
        foreach (var field in fields)
        {
            Assert.False(string.IsNullOrWhiteSpace(field.GetProperty("type").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(field.GetProperty("description").GetString()));
        }
        Assert.All(fields.Where(f => f.GetProperty("name").GetString()!.EndsWith("_vnd", StringComparison.Ordinal)),
            f => Assert.Equal("VND", f.GetProperty("unit").GetString()));

        var (page, html) = await GetAsync("/du-lieu-mo");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("CC BY 4.0", html);
        Assert.Contains("/du-lieu-mo/cho40-tuan.csv", html);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/du-lieu-mo/khong-co.csv")).Response.StatusCode);
    }

    [Fact]
    public async Task Files_answer_304_to_a_matching_ETag()
    {
        using var client = world.App.NewClient();
        var first = await client.Http.GetAsync("/du-lieu-mo/cho40-tuan.json");
        var etag = first.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/du-lieu-mo/cho40-tuan.json");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.Http.SendAsync(again)).StatusCode);
    }

    /// <summary>Province = its communes, commune = its markets (stall figures): no column of any such sum has exactly one empty suppressed cell.</summary>
    private static void AssertNoSumLeavesOneSuppressed(List<Dictionary<string, string>> rows)
    {
        static bool Hidden(Dictionary<string, string> row, string column) => row["suppressed"].Split(' ').Contains(column);
        foreach (var period in rows.GroupBy(r => r["period_start"]))
        {
            foreach (var province in period.Where(r => r["scope_kind"] == "province"))
            {
                var communes = period.Where(r => r["scope_kind"] == "commune" && r["province_code"] == province["province_code"]).ToList();
                foreach (var column in OpenData.Columns.Where(c => c.Contributors is not null))
                    Assert.NotEqual(1, communes.Prepend(province).Count(r => Hidden(r, column.Name)));
                foreach (var commune in communes)
                {
                    var markets = period.Where(r => r["scope_kind"] == "market" && r["commune_code"] == commune["commune_code"]
                                                    && r["province_code"] == commune["province_code"]).ToList();
                    foreach (var column in OpenData.Columns.Where(c => c.Contributors is not null && !c.SellerFigure))
                        Assert.NotEqual(1, markets.Prepend(commune).Count(r => Hidden(r, column.Name)));
                }
            }
        }
    }
}
