using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Province;

/// <summary>
/// The province dashboard against plain SQL over the raw rows (payments, orders, stalls, products, scans) of
/// <see cref="ProvinceWorld"/>: weeks either side of Monday 10 March 2031 00:00 Vietnam time and the month, every market
/// and commune and the province totals — the page reads only the stored aggregates. Plus who may see what.
/// </summary>
[Trait("Speed", "Slow")]
[Collection(ProvinceWorldCollection.Name)]
public sealed class ProvinceDashboardTests(ProvinceWorld world)
{
    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    /// <summary>What plain SQL over the raw rows says for one place and period window.</summary>
    private sealed record Expected(long Stalls, long QrSign, long Active, long PaidQr, long QrVnd, long CashVnd,
        long SellersOnline, long ProductsOnline, long Traceable, long Scans, long Orders, long CodVnd)
    {
        public string QrShare => QrVnd + CashVnd == 0 ? "—"
            : (Math.Round(QrVnd * 10000m / (QrVnd + CashVnd), MidpointRounding.AwayFromZero) / 100m).ToString("0.#", Vietnamese) + "\u00A0%";
    }

    /// <summary>
    /// Plain SQL over the raw rows. <paramref name="markets"/> and <paramref name="sellers"/> say which rows belong to the
    /// place (a market; a commune: its markets and sellers; a province: all of them). The window is [from, to) of Vietnam
    /// days, as instants; "as of" (stalls, signs, products online) is its end.
    /// </summary>
    private async Task<Expected> RawAsync(string marketFilter, string sellerFilter, object args, DateOnly from, DateOnly to)
    {
        await using var db = new NpgsqlConnection(world.App.ConnectionString);
        var start = VietnamTime.DayBounds(from).Start;
        var end = VietnamTime.DayBounds(to).Start;
        var p = new DynamicParameters(args);
        p.Add("start", start);
        p.Add("end", end);
        p.Add("fromDay", from);
        p.Add("toDay", to);
        return await db.QuerySingleAsync<Expected>($"""
            WITH m AS (SELECT id FROM markets WHERE {marketFilter}),
                 s AS (SELECT id FROM sellers WHERE {sellerFilter}),
                 pay AS (SELECT p.* FROM stall_payments p JOIN stalls st ON st.id = p.stall_id
                         WHERE st.market_id IN (SELECT id FROM m) AND p.occurred_at >= @start AND p.occurred_at < @end),
                 online AS (SELECT pr.* FROM products pr JOIN sellers se ON se.id = pr.seller_id
                            WHERE se.id IN (SELECT id FROM s) AND se.status = 'approved' AND se.created_at < @end
                              AND pr.status = 'published' AND pr.created_at < @end)
            SELECT (SELECT count(*) FROM stalls WHERE market_id IN (SELECT id FROM m) AND created_at < @end) AS Stalls,
                   (SELECT count(*) FROM stalls st JOIN stall_bank_accounts b ON b.stall_id = st.id
                    WHERE st.market_id IN (SELECT id FROM m) AND b.linked_at < @end) AS QrSign,
                   (SELECT count(DISTINCT stall_id) FROM pay) AS Active,
                   (SELECT count(DISTINCT stall_id) FROM pay WHERE method = 'qr') AS PaidQr,
                   (SELECT coalesce(sum(amount_vnd), 0) FROM pay WHERE method = 'qr')::bigint AS QrVnd,
                   (SELECT coalesce(sum(amount_vnd), 0) FROM pay WHERE method = 'cash')::bigint AS CashVnd,
                   (SELECT count(DISTINCT seller_id) FROM online) AS SellersOnline,
                   (SELECT count(*) FROM online) AS ProductsOnline,
                   (SELECT count(*) FROM online o WHERE EXISTS (SELECT 1 FROM trace_batches b WHERE b.product_id = o.id AND b.created_at < @end)) AS Traceable,
                   ((SELECT coalesce(sum(sc.scans), 0) FROM trace_batch_scans sc JOIN trace_batches b ON b.id = sc.batch_id JOIN products pr ON pr.id = b.product_id
                     WHERE pr.seller_id IN (SELECT id FROM s) AND sc.day >= @fromDay AND sc.day < @toDay)
                    + (SELECT count(*) FROM trace_unit_scans us JOIN trace_units u ON u.id = us.unit_id JOIN trace_batches b ON b.id = u.batch_id
                       JOIN products pr ON pr.id = b.product_id
                       WHERE pr.seller_id IN (SELECT id FROM s) AND us.scanned_at >= @start AND us.scanned_at < @end))::bigint AS Scans,
                   (SELECT count(*) FROM orders WHERE seller_id IN (SELECT id FROM s) AND created_at >= @start AND created_at < @end
                      AND status NOT IN ('cancelled', 'returned')) AS Orders,
                   (SELECT coalesce(sum(subtotal_vnd), 0) FROM orders WHERE seller_id IN (SELECT id FROM s) AND created_at >= @start AND created_at < @end
                      AND status NOT IN ('cancelled', 'returned') AND payment_method = 'cod')::bigint AS CodVnd
            """, p);
    }

    private Task<Expected> MarketAsync(string slug, DateOnly from, DateOnly to) =>
        RawAsync("slug = @slug", "false", new { slug }, from, to);

    private Task<Expected> CommuneAsync(string commune, DateOnly from, DateOnly to) =>
        RawAsync("commune_code = @commune", "commune_code = @commune", new { commune }, from, to);

    private Task<Expected> ProvinceAsync(DateOnly from, DateOnly to) =>
        RawAsync("province_code = @province", "province_code = @province", new { province = world.Province }, from, to);

    private async Task<IDocument> DashboardAsync(string query)
    {
        using var viewer = world.App.NewClient();
        await viewer.SignInAsync(ProvinceWorld.ViewerPhone);
        var (response, page) = await viewer.GetPageAsync("/Province?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return page;
    }

    private static long? Number(IElement? cell)
    {
        Assert.NotNull(cell);
        var text = cell.TextContent.Split('(')[0];
        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 0 ? null : long.Parse(digits, CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("week", "2031-03-03", "2031-03-10")]   // Monday 3 – Sunday 9 March, complete
    [InlineData("week", "2031-03-10", "2031-03-12")]   // Monday 10 – Tuesday 11 so far
    [InlineData("month", "2031-03-01", "2031-03-12")]  // March so far
    public async Task Every_market_and_commune_and_the_province_equal_plain_SQL_over_the_raw_rows(string kind, string start, string end)
    {
        var from = DateOnly.Parse(start, CultureInfo.InvariantCulture);
        var to = DateOnly.Parse(end, CultureInfo.InvariantCulture);
        var page = await DashboardAsync($"province={world.Province}&kind={kind}&p={start}");

        foreach (var slug in new[] { "pv-m1", "pv-m2", "pv-m3" })
        {
            var expected = await MarketAsync(slug, from, to);
            var row = page.QuerySelector($"#markets-table tr[data-market='{world.Markets[slug]}']");
            Assert.NotNull(row);
            Assert.Equal(expected.Stalls, Number(row.QuerySelector("[data-col=stalls]")));
            Assert.Equal(expected.QrSign, Number(row.QuerySelector("[data-col=qr_sign]")));
            Assert.Equal(expected.Active, Number(row.QuerySelector("[data-col=active]")));
            Assert.Equal(expected.PaidQr, Number(row.QuerySelector("[data-col=paid_qr]")));
            Assert.Equal(expected.QrVnd, Number(row.QuerySelector("[data-col=qr_vnd]")));
            Assert.Equal(expected.CashVnd, Number(row.QuerySelector("[data-col=cash_vnd]")));
            Assert.Equal(expected.QrShare, row.QuerySelector("[data-col=qr_share]")!.TextContent.Trim());
        }
        Assert.Null(page.QuerySelector($"#markets-table tr[data-market='{world.Markets["pv-mq"]}']")); // another province

        foreach (var commune in new[] { world.C1, world.C2 })
        {
            var expected = await CommuneAsync(commune, from, to);
            var row = page.QuerySelector($"#communes-table tr[data-commune='{commune}']");
            Assert.NotNull(row);
            Assert.Equal(expected.Stalls, Number(row.QuerySelector("[data-col=stalls]")));
            Assert.Equal(expected.QrSign, Number(row.QuerySelector("[data-col=qr_sign]")));
            Assert.Equal(expected.Active, Number(row.QuerySelector("[data-col=active]")));
            Assert.Equal(expected.QrShare, row.QuerySelector("[data-col=qr_share]")!.TextContent.Trim());
            Assert.Equal(expected.SellersOnline, Number(row.QuerySelector("[data-col=sellers]")));
            Assert.Equal(expected.ProductsOnline, Number(row.QuerySelector("[data-col=products]")));
            Assert.Equal(expected.Traceable, Number(row.QuerySelector("[data-col=traceable]")));
            Assert.Equal(expected.Scans, Number(row.QuerySelector("[data-col=scans]")));
            Assert.Equal(expected.Orders, Number(row.QuerySelector("[data-col=orders]")));
            Assert.Equal(expected.CodVnd, Number(row.QuerySelector("[data-col=cod_vnd]")));
        }

        var total = await ProvinceAsync(from, to);
        Assert.Equal(total.Stalls, Number(page.QuerySelector("#card-stalls")));
        Assert.Equal(total.QrSign, Number(page.QuerySelector("#card-qr-sign")));
        Assert.Equal(total.Active, Number(page.QuerySelector("#card-active")));
        Assert.Equal(total.QrShare, page.QuerySelector("#card-qr-share")!.TextContent.Trim());
        Assert.Equal(total.SellersOnline, Number(page.QuerySelector("#card-sellers")));
        Assert.Equal(total.ProductsOnline, Number(page.QuerySelector("#card-products")));
        Assert.Equal(total.Traceable, Number(page.QuerySelector("#card-traceable")));
        Assert.Equal(total.Scans, Number(page.QuerySelector("#card-scans")));
        Assert.Equal(total.Orders, Number(page.QuerySelector("#card-orders")));
        Assert.Equal(total.CodVnd, Number(page.QuerySelector("#card-cod")));
        Assert.True(total.QrVnd > 0 && total.Orders > 0 && total.Scans > 0, "the generated data has something to count");
    }

    [Fact]
    public async Task The_week_boundary_is_Monday_00_00_in_Vietnam_and_the_stock_figures_are_as_of_each_weeks_end()
    {
        // Sunday 23:30 (QR 123.000 ₫) is in week 1; Monday 00:30 (cash 45.000 ₫) — still Sunday in UTC — in week 2; the late
        // transfer of Sunday 23:50 (reported Monday morning) in week 1.
        var week1 = await MarketAsync("pv-m1", ProvinceWorld.Week1, ProvinceWorld.Week2);
        var week2 = await MarketAsync("pv-m1", ProvinceWorld.Week2, ProvinceWorld.LastDay.AddDays(1));
        var utcWeek2Cash = await ScalarAsync<long>("""
            SELECT coalesce(sum(p.amount_vnd), 0) FROM stall_payments p JOIN stalls s ON s.id = p.stall_id JOIN markets m ON m.id = s.market_id
            WHERE m.slug = 'pv-m1' AND p.method = 'cash' AND p.occurred_at >= '2031-03-10T00:00:00Z' AND p.occurred_at < '2031-03-12T00:00:00Z'
            """);
        Assert.NotEqual(utcWeek2Cash, week2.CashVnd); // grouping by UTC days would move Monday 00:30 into week 1

        var stored = world.App.Services.GetRequiredService<ProvinceQueries>();
        var rows = await stored.MarketSeriesAsync(world.Markets["pv-m1"], "week", 12);
        Assert.Equal([ProvinceWorld.Week1, ProvinceWorld.Week2], rows.Select(r => r.PeriodStart));
        Assert.Equal(week1.CashVnd, rows[0].TakingsCashVnd);
        Assert.Equal(week2.CashVnd, rows[1].TakingsCashVnd);
        Assert.True(rows[0].Complete);
        Assert.Equal(2, rows[1].DaysReported);
        Assert.Equal(9, rows[0].Stalls);          // 8 + X1 (Friday)
        Assert.Equal(10, rows[1].Stalls);         // + X2 (last Tuesday)
        Assert.Equal(6, rows[0].StallsQrSign);    // S7's sign is linked on the last Tuesday
        Assert.Equal(7, rows[1].StallsQrSign);

        var m3 = await stored.MarketSeriesAsync(world.Markets["pv-m3"], "week", 12);
        Assert.Equal((await MarketAsync("pv-m3", ProvinceWorld.Week1, ProvinceWorld.Week2)).QrVnd, m3[0].TakingsQrVnd);
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM daily_report_late_items WHERE scope_kind = 'stall' AND amount_vnd = 77000"));
    }

    [Fact]
    public async Task Rebuilding_the_aggregates_again_gives_the_same_table()
    {
        const string Snapshot = "SELECT md5(string_agg(s::text, '|' ORDER BY period_kind, period_start, scope_kind, scope_key)) FROM province_stats s";
        var before = await ScalarAsync<string>(Snapshot);
        var result = await world.App.Services.GetRequiredService<ProvinceAggregates>().RefreshAsync(world.App.Clock.GetUtcNow());
        Assert.Equal(ProvinceWorld.LastDay, result.LastDay);
        Assert.Equal(before, await ScalarAsync<string>(Snapshot));
    }

    [Fact]
    public async Task Tables_sort_on_the_server_by_any_column_in_both_directions()
    {
        var page = await DashboardAsync($"province={world.Province}&kind=week&p=2031-03-03&sort=cash_vnd&dir=desc");
        var cash = page.QuerySelectorAll("#markets-table tbody tr").Select(r => Number(r.QuerySelector("[data-col=cash_vnd]"))!.Value).ToList();
        Assert.Equal(3, cash.Count);
        Assert.Equal(cash.OrderByDescending(v => v), cash);
        Assert.Equal("descending", page.QuerySelector("#markets-table th[aria-sort]")!.GetAttribute("aria-sort"));
        // The header link of the sorted column flips the direction.
        var flip = page.QuerySelector("#markets-table th[aria-sort] a")!.GetAttribute("href")!;
        Assert.Contains("dir=asc", flip);

        page = await DashboardAsync($"province={world.Province}&kind=week&p=2031-03-03&csort=sellers&cdir=asc");
        var sellers = page.QuerySelectorAll("#communes-table tbody tr").Select(r => Number(r.QuerySelector("[data-col=sellers]"))!.Value).ToList();
        Assert.Equal(sellers.Order(), sellers);
    }

    [Fact]
    public async Task The_viewer_lands_on_the_dashboard_drills_down_to_a_market_and_sees_only_her_province_and_no_person()
    {
        using var viewer = world.App.NewClient();
        var signIn = await viewer.SubmitFormAsync("/Account/SignIn", "main form",
            new Dictionary<string, string> { ["Input.Phone"] = ProvinceWorld.ViewerPhone, ["Input.Password"] = "cho40-demo" });
        Assert.Equal("/Province", signIn.Headers.Location?.OriginalString);

        var (_, page) = await viewer.GetPageAsync("/Province");
        // The default period is the latest complete week: week 1 (week 2 has two days so far), the oldest there is.
        Assert.Contains("03/03–09/03", page.QuerySelector("#period-label")!.TextContent);
        Assert.Null(page.QuerySelector("#period-older"));
        Assert.Contains("10/03", page.QuerySelector("#period-newer")!.TextContent);
        var html = page.DocumentElement.OuterHtml;
        foreach (var personal in new[] { ProvinceWorld.OwnerMark, "0971000101", "0912345678", "Khách thử", "Sạp pv", "CHU SAP" })
            Assert.DoesNotContain(personal, html);

        var drill = page.QuerySelector($"#markets-table tr[data-market='{world.Markets["pv-m1"]}'] a")!.GetAttribute("href")!;
        var (market, marketPage) = await viewer.GetPageAsync(drill);
        Assert.Equal(HttpStatusCode.OK, market.StatusCode);
        Assert.Equal(2, marketPage.QuerySelectorAll("#market-series tbody tr").Length);
        Assert.NotNull(marketPage.QuerySelector("svg.report-chart"));
        Assert.DoesNotContain(ProvinceWorld.OwnerMark, marketPage.DocumentElement.OuterHtml);

        foreach (var refused in new[] { $"/Province?province={world.OtherProvince}", $"/Province/Market/{world.Markets["pv-mq"]}",
                     $"/Stall/{world.StallIds[0]}/Reports", $"/Stall/{world.StallIds[0]}/Screen", "/Seller/Orders", $"/Seller/Reports/{world.Sellers["pv-s1"]}",
                     $"/Market/{world.Markets["pv-m1"]}/Reports", $"/Admin/Reports/stall/{world.StallIds[0]}", "/Market/Inbox" })
        {
            var response = await viewer.Http.GetAsync(refused);
            var to = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l.PathAndQuery : l.OriginalString) : "";
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden
                        || to.StartsWith("/Account/AccessDenied", StringComparison.Ordinal),
                $"{refused} answered {(int)response.StatusCode} {to}");
        }

        // Others do not see the dashboard at all.
        using var anonymous = world.App.NewClient();
        var refusedAnonymous = await anonymous.Http.GetAsync("/Province");
        var location = refusedAnonymous.Headers.Location!;
        Assert.StartsWith("/Account/SignIn", location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var db = new NpgsqlConnection(world.App.ConnectionString);
        return await db.ExecuteScalarAsync<T>(sql) ?? throw new InvalidOperationException("no value");
    }
}
