using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>The seller's listings as XLSX or CSV, in the columns import reads; and the empty template.</summary>
public sealed class ExportModel(SellerMemberships memberships, CatalogFiles files, TimeProvider clock) : PageModel
{
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public async Task<IActionResult> OnGetAsync(string? format, CancellationToken cancellationToken)
    {
        var choice = await CurrentSeller.ResolveAsync(HttpContext, memberships, cancellationToken);
        if (choice.Current is null) return NotFound();
        var rows = await files.ExportAsync(choice.Current.Scope(HttpContext), cancellationToken);
        if (rows is null) return NotFound();
        var day = Db.Domain.VietnamTime.ToVietnam(clock.GetUtcNow()).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var name = $"san-pham-{choice.Current.SellerSlug}-{day}";
        return format == "csv"
            ? File(CatalogFile.WriteCsv(rows), "text/csv; charset=utf-8", name + ".csv")
            : File(CatalogFile.WriteXlsx(rows), XlsxType, name + ".xlsx");
    }

    public IActionResult OnGetTemplate(string? format) => format == "csv"
        ? File(CatalogFile.WriteCsv(CatalogFile.TemplateExamples), "text/csv; charset=utf-8", "mau-san-pham.csv")
        : File(CatalogFile.WriteXlsx(CatalogFile.TemplateExamples), XlsxType, "mau-san-pham.xlsx");
}
