using Cho40.Db;

namespace Cho40.Tests.Province;

/// <summary>
/// The small-cell rule of the open data (<see cref="OpenData.Suppress"/>) on hand-made aggregates: figures about 1–4 stalls
/// or sellers are suppressed, and no suppressed figure can be worked out from the published ones by subtraction (every sum
/// — province = its communes, commune = its markets, a whole-weeks month = its weeks — has zero or at least two suppressed
/// figures, and a published total leaves derivable only a sum of suppressed parts about 5 or more). No database.
/// </summary>
public sealed class OpenDataSuppressionTests
{
    private static readonly DateOnly Week = new(2031, 3, 3);

    private static ProvinceStat Market(long id, string commune, int stalls, long qrVnd = 1_000_000, long cashVnd = 500_000,
        int? paidQr = null, int? paidCash = null, string kind = "week", DateOnly? start = null) => new()
    {
        PeriodKind = kind, PeriodStart = start ?? Week, PeriodEnd = (start ?? Week).AddDays(kind == "week" ? 7 : 28), DaysReported = 7,
        ScopeKind = "market", ScopeKey = id.ToString(System.Globalization.CultureInfo.InvariantCulture), ProvinceCode = "19",
        CommuneCode = commune, MarketId = id, Markets = 1, Stalls = stalls, StallsQrSign = stalls, StallsActive = stalls,
        StallsPaidQr = paidQr ?? stalls, StallsPaidCash = paidCash ?? stalls, PaymentsQr = stalls * 3, PaymentsCash = stalls * 2,
        TakingsQrVnd = qrVnd, TakingsCashVnd = cashVnd,
    };

    /// <summary>A commune row: the sum of its markets (stall figures) plus its sellers.</summary>
    private static ProvinceStat Commune(string code, IEnumerable<ProvinceStat> markets, int sellers = 10, long orders = 50)
    {
        var m = markets.ToList();
        var first = m.FirstOrDefault();
        return new ProvinceStat
        {
            PeriodKind = first?.PeriodKind ?? "week", PeriodStart = first?.PeriodStart ?? Week, PeriodEnd = first?.PeriodEnd ?? Week.AddDays(7),
            DaysReported = 7, ScopeKind = "commune", ScopeKey = "19/" + code, ProvinceCode = "19", CommuneCode = code, Markets = m.Count,
            Stalls = m.Sum(x => x.Stalls), StallsQrSign = m.Sum(x => x.StallsQrSign), StallsActive = m.Sum(x => x.StallsActive),
            StallsPaidQr = m.Sum(x => x.StallsPaidQr), StallsPaidCash = m.Sum(x => x.StallsPaidCash), PaymentsQr = m.Sum(x => x.PaymentsQr),
            PaymentsCash = m.Sum(x => x.PaymentsCash), TakingsQrVnd = m.Sum(x => x.TakingsQrVnd), TakingsCashVnd = m.Sum(x => x.TakingsCashVnd),
            SellersOnline = sellers, ProductsOnline = sellers * 4, SellersTraceable = sellers, ProductsTraceable = sellers * 2,
            SellersScanned = sellers, TraceScans = sellers * 30, SellersWithOrders = sellers, Orders = (int)orders, OrdersVnd = orders * 200_000,
            SellersWithCod = sellers, CodOrders = (int)orders / 2, CodVnd = orders * 100_000,
        };
    }

    private static ProvinceStat Province(IEnumerable<ProvinceStat> communes)
    {
        var c = communes.ToList();
        long? Sum(Func<ProvinceStat, long?> f) => c.Sum(x => f(x) ?? 0);
        return c[0] with
        {
            ScopeKind = "province", ScopeKey = "19", CommuneCode = null, Markets = c.Sum(x => x.Markets), Stalls = c.Sum(x => x.Stalls),
            StallsQrSign = c.Sum(x => x.StallsQrSign), StallsActive = c.Sum(x => x.StallsActive), StallsPaidQr = c.Sum(x => x.StallsPaidQr),
            StallsPaidCash = c.Sum(x => x.StallsPaidCash), PaymentsQr = c.Sum(x => x.PaymentsQr), PaymentsCash = c.Sum(x => x.PaymentsCash),
            TakingsQrVnd = c.Sum(x => x.TakingsQrVnd), TakingsCashVnd = c.Sum(x => x.TakingsCashVnd),
            SellersOnline = (int?)Sum(x => x.SellersOnline), ProductsOnline = (int?)Sum(x => x.ProductsOnline),
            SellersTraceable = (int?)Sum(x => x.SellersTraceable), ProductsTraceable = (int?)Sum(x => x.ProductsTraceable),
            SellersScanned = (int?)Sum(x => x.SellersScanned), TraceScans = Sum(x => x.TraceScans), SellersWithOrders = (int?)Sum(x => x.SellersWithOrders),
            Orders = (int?)Sum(x => x.Orders), OrdersVnd = Sum(x => x.OrdersVnd), SellersWithCod = (int?)Sum(x => x.SellersWithCod),
            CodOrders = (int?)Sum(x => x.CodOrders), CodVnd = Sum(x => x.CodVnd),
        };
    }

    [Fact]
    public void A_market_of_three_stalls_is_suppressed_and_its_only_sibling_too_so_the_commune_total_gives_neither_away()
    {
        var small = Market(1, "C1", stalls: 3);
        var big = Market(2, "C1", stalls: 20);
        var other = Market(3, "C2", stalls: 12);
        var c1 = Commune("C1", [small, big]);
        var c2 = Commune("C2", [other]);
        var rows = Index(OpenData.Suppress([small, big, other, c1, c2, Province([c1, c2])]));

        foreach (var column in new[] { "stalls", "stalls_active", "stalls_paid_qr", "takings_qr_vnd", "takings_cash_vnd", "payments_qr", OpenData.QrShareColumn })
        {
            Assert.Contains(column, rows[small].Suppressed);
            Assert.Contains(column, rows[big].Suppressed);        // complement: C1 − big would give small
            Assert.DoesNotContain(column, rows[c1].Suppressed);   // 23 stalls: published, but neither part can be derived from it
            Assert.DoesNotContain(column, rows[other].Suppressed);
        }
        Assert.Null(rows[small].Value(Column("takings_qr_vnd")));
        Assert.Equal(other.TakingsQrVnd, rows[other].Value(Column("takings_qr_vnd")));
        Assert.DoesNotContain("markets", rows[small].Suppressed);     // markets are public places, never suppressed
        AssertNoSumGivesASuppressedFigureAway(rows.Values.ToList());
    }

    [Fact]
    public void A_commune_with_one_seller_is_suppressed_and_so_is_the_next_smallest_commune_of_the_province()
    {
        var m1 = Market(1, "C1", 10);
        var m2 = Market(2, "C2", 10);
        var m3 = Market(3, "C3", 10);
        var lonely = Commune("C1", [m1], sellers: 1, orders: 3);
        var smaller = Commune("C2", [m2], sellers: 6, orders: 20);
        var larger = Commune("C3", [m3], sellers: 40, orders: 300);
        var rows = Index(OpenData.Suppress([m1, m2, m3, lonely, smaller, larger, Province([lonely, smaller, larger])]));

        foreach (var column in new[] { "sellers_online", "products_online", "orders", "orders_vnd", "cod_vnd", "trace_scans" })
        {
            Assert.Contains(column, rows[lonely].Suppressed);
            Assert.Contains(column, rows[smaller].Suppressed);   // the smallest other commune, not the largest
            Assert.DoesNotContain(column, rows[larger].Suppressed);
        }
        Assert.DoesNotContain("stalls", rows[lonely].Suppressed);  // 10 stalls: the stall figures stay published
        AssertNoSumGivesASuppressedFigureAway(rows.Values.ToList());
    }

    [Fact]
    public void A_commune_suppressed_as_a_complement_takes_one_of_its_markets_with_it()
    {
        // Province = C1 + C2. C1 has 2 active stalls (primary). C2 = M2 + M3 is suppressed as C1's complement; C2's markets
        // are published, so C2 = M2 + M3 would give it back: one of them (the smaller) must go too.
        var m1 = Market(1, "C1", 2);
        var m2 = Market(2, "C2", 30);
        var m3 = Market(3, "C2", 7);
        var c1 = Commune("C1", [m1]);
        var c2 = Commune("C2", [m2, m3]);
        var rows = Index(OpenData.Suppress([m1, m2, m3, c1, c2, Province([c1, c2])]));

        Assert.Contains("stalls_active", rows[c1].Suppressed);
        Assert.Contains("stalls_active", rows[c2].Suppressed);
        Assert.Contains("stalls_active", rows[m3].Suppressed);      // the smaller market
        Assert.DoesNotContain("stalls_active", rows[m2].Suppressed); // C2's sum now has two: C2 − M2 = M3 with both unknown
        AssertNoSumGivesASuppressedFigureAway(rows.Values.ToList());
    }

    [Fact]
    public void A_sibling_with_nothing_to_hide_is_never_the_complement()
    {
        // M2 took no QR at all (0 stalls paid by QR: its 0 is published and known). Suppressing that 0 would protect nothing,
        // so the commune total goes instead.
        var m1 = Market(1, "C1", 10, qrVnd: 90_000, paidQr: 2);
        var m2 = Market(2, "C1", 10, qrVnd: 0, paidQr: 0);
        var m3 = Market(3, "C2", 10);
        var c1 = Commune("C1", [m1, m2]);
        var c2 = Commune("C2", [m3]);
        var rows = Index(OpenData.Suppress([m1, m2, m3, c1, c2, Province([c1, c2])]));

        Assert.Contains("takings_qr_vnd", rows[m1].Suppressed);
        Assert.DoesNotContain("takings_qr_vnd", rows[m2].Suppressed);
        Assert.Contains("takings_qr_vnd", rows[c1].Suppressed);
        AssertNoSumGivesASuppressedFigureAway(rows.Values.ToList());
    }

    [Fact]
    public void A_month_of_exactly_four_ISO_weeks_is_a_sum_of_them_and_is_protected_like_one()
    {
        // February 2027 starts on a Monday and has 28 days: the month's flows are the sum of its four weeks.
        var monday = new DateOnly(2027, 2, 1);
        Assert.Equal(DayOfWeek.Monday, monday.DayOfWeek);
        var weeks = Enumerable.Range(0, 4).Select(i => Market(1, "C1", stalls: i == 2 ? 3 : 10, start: monday.AddDays(7 * i))).ToList();
        var month = Market(1, "C1", stalls: 10, qrVnd: weeks.Sum(w => w.TakingsQrVnd), cashVnd: weeks.Sum(w => w.TakingsCashVnd), kind: "month", start: monday)
            with { PaymentsQr = weeks.Sum(w => w.PaymentsQr), PaymentsCash = weeks.Sum(w => w.PaymentsCash) };
        var rows = Index(OpenData.Suppress([.. weeks, month]));

        Assert.Contains("takings_qr_vnd", rows[weeks[2]].Suppressed);                    // primary: 3 stalls
        Assert.Equal(2, weeks.Count(w => rows[w].Suppressed.Contains("takings_qr_vnd"))); // a second week, not left derivable
        Assert.DoesNotContain("takings_qr_vnd", rows[month].Suppressed);
        Assert.DoesNotContain("stalls", rows[month].Suppressed);                           // stock figures do not add over time
    }

    [Fact]
    public void Random_provinces_never_publish_a_small_figure_nor_leave_one_derivable()
    {
        var random = new Random(18);
        for (var round = 0; round < 300; round++)
        {
            var stats = new List<ProvinceStat>();
            var communes = new List<ProvinceStat>();
            var id = 1;
            for (var c = 0; c < random.Next(1, 6); c++)
            {
                var markets = Enumerable.Range(0, random.Next(0, 5)).Select(_ =>
                {
                    var stalls = random.Next(0, 3) == 0 ? random.Next(1, 5) : random.Next(0, 40);
                    var paidQr = Math.Min(stalls, random.Next(0, 3) == 0 ? random.Next(0, 5) : random.Next(0, 40));
                    return Market(id++, "C" + c, stalls, qrVnd: paidQr * 100_000L + random.Next(0, 1000), paidQr: paidQr);
                }).ToList();
                stats.AddRange(markets);
                var commune = Commune("C" + c, markets, sellers: random.Next(0, 3) == 0 ? random.Next(0, 5) : random.Next(5, 60), orders: random.Next(0, 200));
                communes.Add(commune);
            }
            stats.AddRange(communes);
            stats.Add(Province(communes));
            var rows = OpenData.Suppress(stats);
            foreach (var row in rows)
                foreach (var column in OpenData.Columns.Where(c => c.Contributors is not null))
                    if (column.Value(row.Stat) is not null && column.Contributors!(row.Stat) is > 0 and < OpenData.Threshold)
                        Assert.True(row.Value(column) is null, $"round {round}: {row.Stat.ScopeKey} {column.Name} about {column.Contributors(row.Stat)} is published");
            AssertNoSumGivesASuppressedFigureAway(rows, $"round {round}");
        }
    }

    private static OpenDataColumn Column(string name) => OpenData.Columns.Single(c => c.Name == name);

    private static Dictionary<ProvinceStat, OpenDataRow> Index(IReadOnlyList<OpenDataRow> rows)
    {
        var index = new Dictionary<ProvinceStat, OpenDataRow>(ReferenceEqualityComparer.Instance);
        foreach (var row in rows) index[row.Stat] = row;
        return index;
    }

    /// <summary>In every geographic sum of a period, a column has zero or at least two suppressed figures (total included).</summary>
    private static void AssertNoSumGivesASuppressedFigureAway(IReadOnlyList<OpenDataRow> rows, string context = "")
    {
        foreach (var period in rows.GroupBy(r => (r.Stat.PeriodKind, r.Stat.PeriodStart)))
        {
            var list = period.ToList();
            var sums = new List<(OpenDataRow Total, List<OpenDataRow> Parts, bool Sellers)>();
            foreach (var province in list.Where(r => r.Stat.ScopeKind == "province"))
                sums.Add((province, list.Where(r => r.Stat.ScopeKind == "commune").ToList(), true));
            foreach (var commune in list.Where(r => r.Stat.ScopeKind == "commune"))
                sums.Add((commune, list.Where(r => r.Stat.ScopeKind == "market" && r.Stat.CommuneCode == commune.Stat.CommuneCode).ToList(), false));
            foreach (var (total, parts, sellers) in sums)
                foreach (var column in OpenData.Columns.Where(c => c.Contributors is not null && (sellers || !c.SellerFigure)))
                {
                    var cells = parts.Prepend(total).Where(r => column.Value(r.Stat) is not null).ToList();
                    var hidden = cells.Count(r => r.Suppressed.Contains(column.Name));
                    Assert.True(hidden != 1, $"{context} {total.Stat.ScopeKey} {column.Name}: exactly one suppressed figure in a sum of {cells.Count}");
                    if (!total.Suppressed.Contains(column.Name))
                    {
                        // What the published total and parts give away is the sum of the suppressed parts: about 5 or more.
                        var hiddenContributors = parts.Where(r => column.Value(r.Stat) is not null && r.Suppressed.Contains(column.Name))
                            .Sum(r => column.Contributors!(r.Stat) ?? 0);
                        Assert.True(hiddenContributors == 0 || hiddenContributors >= OpenData.Threshold,
                            $"{context} {total.Stat.ScopeKey} {column.Name}: the suppressed parts together count only {hiddenContributors}");
                    }
                }
        }
    }
}
