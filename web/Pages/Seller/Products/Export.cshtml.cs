using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Seller.Products;

/// <summary>The seller's listings as XLSX or CSV, in the columns import reads; and the empty template.</summary>
public sealed class ExportModel(SellerMemberships memberships, Listings listings, TimeProvider clock) : PageModel
{
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public async Task<IActionResult> OnGetAsync(string? format)
    {
        var choice = await CurrentSeller.ResolveAsync(HttpContext, memberships);
        if (choice.Current is null) return NotFound();
        var rows = await listings.ExportAsync(choice.Current.Scope(HttpContext));
        if (rows is null) return NotFound();
        var day = Db.Domain.VietnamTime.ToVietnam(clock.GetUtcNow()).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var name = $"san-pham-{choice.Current.SellerSlug}-{day}";
        return format == "csv"
            ? File(ListingFile.WriteCsv(rows), "text/csv; charset=utf-8", name + ".csv")
            : File(ListingFile.WriteXlsx(rows), XlsxType, name + ".xlsx");
    }

    public IActionResult OnGetTemplate(string? format) => format == "csv"
        ? File(ListingFile.WriteCsv(ListingFile.TemplateExamples), "text/csv; charset=utf-8", "mau-san-pham.csv")
        : File(ListingFile.WriteXlsx(ListingFile.TemplateExamples), XlsxType, "mau-san-pham.xlsx");
}
