namespace Cho40.Db;

/// <summary>
/// One published figure of the open data: its name, Table Schema type, unit and meaning, how it is read from a row,
/// and whose count protects it (the stalls or sellers behind it: <see cref="Contributors"/>; null = not protected,
/// e.g. the number of markets, which are public places).
/// </summary>
public sealed record OpenDataColumn(string Name, string Type, string Unit, string Vietnamese, string English,
    Func<ProvinceStat, long?> Value, Func<ProvinceStat, long?>? Contributors, bool SellerFigure, bool AdditiveOverTime)
{
    /// <summary>Decimal places of the written value (the QR share is stored in basis points, written in percent).</summary>
    public int Decimals => Name == OpenData.QrShareColumn ? 2 : 0;

    /// <summary>The value as written in the files (invariant culture), or null.</summary>
    public decimal? Published(long? raw) => raw is { } v ? Decimals == 0 ? v : v / 100m : null;
}

/// <summary>An open-data row: the aggregate, and which of its figures are suppressed.</summary>
public sealed record OpenDataRow(ProvinceStat Stat, IReadOnlySet<string> Suppressed)
{
    /// <summary>The published value: null when suppressed or not applicable (seller figures of a market).</summary>
    public long? Value(OpenDataColumn column) => Suppressed.Contains(column.Name) ? null : column.Value(Stat);
}

/// <summary>
/// The open data: the province aggregates, without personal data, with small cells suppressed so that no figure about
/// fewer than <see cref="Threshold"/> stalls or sellers is published or can be worked out from the published ones.
/// The rule (docs/features/province.md "Small-cell suppression"):
/// <list type="number">
/// <item>Primary: a figure whose contributors (the stalls or sellers behind it) number 1–4 is suppressed. A figure with no
/// contributor (0) is published: it says only that none of the place's stalls or sellers did it.</item>
/// <item>Secondary: figures are linked by sums — a province = the sum of its communes, a commune = the sum of its markets
/// (stall figures), and a calendar month = the sum of its ISO weeks for flow figures when the month is exactly whole weeks
/// (a February of 28 days starting on Monday). In a sum whose total is published, the suppressed parts must be none, or at
/// least two that together count at least <see cref="Threshold"/> contributors (the total minus the published parts gives
/// only their sum); in a sum whose total is suppressed, at least one part must be suppressed. Where a sum falls short, one
/// more figure is suppressed — the smallest part that has contributors, else the total — until every sum holds.</item>
/// <item>The QR share is suppressed whenever either takings figure is.</item>
/// </list>
/// </summary>
public static class OpenData
{
    public const int Threshold = 5;
    public const string Licence = "CC BY 4.0";
    public const string LicenceUrl = "https://creativecommons.org/licenses/by/4.0/";
    public const string LicenceLine =
        "Giấy phép / Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/) — ghi nguồn / attribution: Chợ 4.0";
    public const string QrShareColumn = "qr_share_pct";

    /// <summary>The figures, in file order (identifier columns are written before them by the file writers).</summary>
    public static readonly IReadOnlyList<OpenDataColumn> Columns =
    [
        new("markets", "integer", "chợ / markets", "Số chợ", "Markets", s => s.Markets, null, false, false),
        new("stalls", "integer", "sạp / stalls", "Số sạp (tạo trước cuối kỳ)", "Stalls (created before the end of the period)",
            s => s.Stalls, s => s.Stalls, false, false),
        new("stalls_qr_sign", "integer", "sạp / stalls", "Sạp có biển QR (đã liên kết tài khoản ngân hàng trước cuối kỳ)",
            "Stalls with a QR sign (bank account linked before the end of the period)", s => s.StallsQrSign, s => s.StallsQrSign, false, false),
        new("stalls_active", "integer", "sạp / stalls", "Sạp có ít nhất một khoản thu trong kỳ (QR hoặc tiền mặt)",
            "Stalls with at least one payment in the period (QR or cash)", s => s.StallsActive, s => s.StallsActive, false, false),
        new("stalls_paid_qr", "integer", "sạp / stalls", "Sạp nhận ít nhất một chuyển khoản QR trong kỳ",
            "Stalls that received at least one QR transfer in the period", s => s.StallsPaidQr, s => s.StallsPaidQr, false, false),
        new("stalls_paid_cash", "integer", "sạp / stalls", "Sạp ghi ít nhất một khoản tiền mặt trong kỳ",
            "Stalls that logged at least one cash payment in the period", s => s.StallsPaidCash, s => s.StallsPaidCash, false, false),
        new("payments_qr", "integer", "lượt / payments", "Số lượt chuyển khoản QR tại sạp", "QR transfers received at stalls",
            s => s.PaymentsQr, s => s.StallsPaidQr, false, true),
        new("payments_cash", "integer", "lượt / payments", "Số lượt tiền mặt sạp ghi lại", "Cash payments logged by stalls",
            s => s.PaymentsCash, s => s.StallsPaidCash, false, true),
        new("takings_qr_vnd", "integer", "VND", "Tiền thu qua chuyển khoản QR tại sạp", "Stall takings by QR transfer",
            s => s.TakingsQrVnd, s => s.StallsPaidQr, false, true),
        new("takings_cash_vnd", "integer", "VND", "Tiền mặt sạp ghi lại", "Stall takings in cash (as logged)",
            s => s.TakingsCashVnd, s => s.StallsPaidCash, false, true),
        new(QrShareColumn, "number", "%", "Tỷ lệ QR trong tiền thu của sạp = QR ÷ (QR + tiền mặt), làm tròn 0,01 %",
            "QR share of stall takings = QR ÷ (QR + cash), rounded to 0.01 %", s => s.QrShareBp, null, false, false),
        new("sellers_online", "integer", "người bán / sellers", "Người bán (đã duyệt) có ít nhất một sản phẩm đang bán",
            "Approved sellers with at least one product online", s => s.SellersOnline, s => s.SellersOnline, true, false),
        new("products_online", "integer", "sản phẩm / products", "Sản phẩm đang bán của người bán đã duyệt",
            "Products online of approved sellers", s => s.ProductsOnline, s => s.SellersOnline, true, false),
        new("sellers_traceable", "integer", "người bán / sellers", "Người bán có sản phẩm mang mã truy xuất",
            "Sellers with products carrying traceability codes", s => s.SellersTraceable, s => s.SellersTraceable, true, false),
        new("products_traceable", "integer", "sản phẩm / products", "Sản phẩm đang bán có ít nhất một lô hàng mang mã truy xuất",
            "Products online with at least one batch carrying traceability codes", s => s.ProductsTraceable, s => s.SellersTraceable, true, false),
        new("trace_scans", "integer", "lượt / scans", "Lượt mở trang truy xuất và quét mã trên gói hàng",
            "Trace page views and pack code scans", s => s.TraceScans, s => s.SellersScanned, true, true),
        new("orders", "integer", "đơn / orders", "Đơn hàng trực tuyến đặt trong kỳ (không tính đơn hủy/hoàn lúc lập báo cáo)",
            "Online orders placed in the period (not cancelled or returned when reported)", s => s.Orders, s => s.SellersWithOrders, true, true),
        new("orders_vnd", "integer", "VND", "Giá trị hàng của các đơn đó (không gồm phí giao)", "Goods value of those orders (no delivery fee)",
            s => s.OrdersVnd, s => s.SellersWithOrders, true, true),
        new("cod_orders", "integer", "đơn / orders", "Đơn thu tiền khi giao (COD)", "Cash-on-delivery orders",
            s => s.CodOrders, s => s.SellersWithCod, true, true),
        new("cod_vnd", "integer", "VND", "Giá trị hàng của đơn COD", "Goods value of cash-on-delivery orders",
            s => s.CodVnd, s => s.SellersWithCod, true, true),
    ];

    /// <summary>The rows of every period of one or both kinds, with the suppression rule applied across all of them.</summary>
    public static IReadOnlyList<OpenDataRow> Suppress(IReadOnlyList<ProvinceStat> stats)
    {
        var suppressed = new Dictionary<ProvinceStat, HashSet<string>>(ReferenceEqualityComparer.Instance);
        foreach (var stat in stats) suppressed[stat] = new HashSet<string>(StringComparer.Ordinal);
        var protectedColumns = Columns.Where(c => c.Contributors is not null).ToList();

        // Primary.
        foreach (var stat in stats)
            foreach (var column in protectedColumns)
                if (column.Value(stat) is not null && column.Contributors!(stat) is > 0 and < Threshold)
                    suppressed[stat].Add(column.Name);

        // The sums that link figures.
        var sums = new List<(ProvinceStat Total, List<ProvinceStat> Parts, bool SellerSum, bool OverTime)>();
        foreach (var period in stats.GroupBy(s => (s.PeriodKind, s.PeriodStart)))
        {
            foreach (var province in period.Where(s => s.ScopeKind == "province"))
            {
                var communes = period.Where(s => s.ScopeKind == "commune" && s.ProvinceCode == province.ProvinceCode).ToList();
                sums.Add((province, communes, true, false));
                foreach (var commune in communes)
                    sums.Add((commune, period.Where(s => s.ScopeKind == "market" && s.ProvinceCode == commune.ProvinceCode
                                                        && s.CommuneCode == commune.CommuneCode).ToList(), false, false));
            }
        }
        var weeks = stats.Where(s => s.PeriodKind == "week").ToLookup(s => (s.PeriodStart, s.ScopeKind, s.ScopeKey));
        foreach (var month in stats.Where(s => s.PeriodKind == "month" && s.PeriodStart.DayOfWeek == DayOfWeek.Monday
                                               && s.PeriodDays % 7 == 0))
        {
            var parts = Enumerable.Range(0, month.PeriodDays / 7)
                .SelectMany(i => weeks[(month.PeriodStart.AddDays(7 * i), month.ScopeKind, month.ScopeKey)]).ToList();
            sums.Add((month, parts, true, true));
        }

        // Secondary, until every sum is safe: with its total published, either no part is suppressed or at least two are,
        // together about at least Threshold contributors (total − published parts only gives their sum); with its total
        // suppressed, at least one part is suppressed too (else the total is the sum of the published parts).
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (total, parts, sellerSum, overTime) in sums)
                foreach (var column in protectedColumns)
                {
                    if (column.SellerFigure && !sellerSum) continue;          // markets have no seller figures
                    if (overTime && !column.AdditiveOverTime) continue;        // stock figures do not add up over time
                    if (column.Value(total) is null) continue;
                    var present = parts.Where(p => column.Value(p) is not null).ToList();
                    var hidden = present.Where(p => suppressed[p].Contains(column.Name)).ToList();
                    var safe = suppressed[total].Contains(column.Name)
                        ? hidden.Count > 0 || present.Count == 0
                        : hidden.Count == 0 || (hidden.Count >= 2 && hidden.Sum(p => column.Contributors!(p) ?? 0) >= Threshold);
                    if (safe) continue;
                    var complement = present
                        .Where(p => !suppressed[p].Contains(column.Name) && column.Contributors!(p) > 0)
                        .OrderBy(p => column.Value(p)).ThenBy(p => column.Contributors!(p)).ThenBy(p => p.ScopeKey, StringComparer.Ordinal)
                        .ThenBy(p => p.PeriodStart)
                        .FirstOrDefault() ?? (suppressed[total].Contains(column.Name) ? null : total);
                    if (complement is null) continue;
                    suppressed[complement].Add(column.Name);
                    changed = true;
                }
        }

        foreach (var stat in stats)
            if (suppressed[stat].Contains("takings_qr_vnd") || suppressed[stat].Contains("takings_cash_vnd"))
                suppressed[stat].Add(QrShareColumn);
        return stats.Select(s => new OpenDataRow(s, suppressed[s])).ToList();
    }
}
