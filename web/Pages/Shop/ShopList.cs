using System.Globalization;
using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Shop;

/// <summary>
/// What search, category and seller pages share: the filters from the query string (all optional),
/// one search call, and the link to the next page (a keyset cursor, never an offset).
/// </summary>
public abstract class ShopListModel(ShopQueries shop, AdminUnits units) : PageModel
{
    public const int PageSize = 24;

    protected ShopQueries Store => shop;

    [FromQuery(Name = "q")] public string? Q { get; set; }
    [FromQuery(Name = "danh-muc")] public string? CategorySlug { get; set; }
    [FromQuery(Name = "tinh")] public string? Province { get; set; }
    [FromQuery(Name = "ocop")] public int? Ocop { get; set; }
    [FromQuery(Name = "gia-tu")] public string? MinPriceText { get; set; }
    [FromQuery(Name = "gia-den")] public string? MaxPriceText { get; set; }

    /// <summary>The price filters as read by the money parser ("100k", "1tr2"); null when empty or refused.</summary>
    public long? MinPrice { get; private set; }
    public long? MaxPrice { get; private set; }
    public string? MinPriceError { get; private set; }
    public string? MaxPriceError { get; private set; }
    [FromQuery(Name = "sau")] public string? After { get; set; }

    public IReadOnlyList<ShopCategory> Categories { get; private set; } = [];
    public IReadOnlyList<Province> Provinces { get; private set; } = [];
    public SearchResult Result { get; private set; } = new([], null);

    /// <summary>The category the page is about (category page), or the one chosen in the filter.</summary>
    public ShopCategory? Category { get; protected set; }

    /// <summary>The path the filter form and the "more" link go to.</summary>
    public abstract string ListingPath { get; }

    /// <summary>Whether the filter form offers the category choice (not on a category's own page).</summary>
    public virtual bool ShowsCategoryFilter => true;

    protected async Task LoadAsync(long? sellerId = null, CancellationToken cancellationToken = default)
    {
        var t = HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>>();
        string? error = null;
        MinPrice = string.IsNullOrWhiteSpace(MinPriceText) ? null : Infrastructure.MoneyInput.Read(MinPriceText, Db.Domain.MoneyField.PriceFilter, t, out error);
        MinPriceError = error;
        error = null;
        MaxPrice = string.IsNullOrWhiteSpace(MaxPriceText) ? null : Infrastructure.MoneyInput.Read(MaxPriceText, Db.Domain.MoneyField.PriceFilter, t, out error);
        MaxPriceError = error;
        Categories = await shop.CategoriesAsync(cancellationToken);
        Provinces = await units.ProvincesAsync(cancellationToken);
        Category ??= string.IsNullOrEmpty(CategorySlug) ? null : Categories.FirstOrDefault(c => c.Slug == CategorySlug);
        Result = await shop.SearchAsync(new SearchQuery(Q, Category?.Id,
            Provinces.Any(p => p.Code == Province) ? Province : null,
            Ocop is >= 3 and <= 5 ? Ocop : null,
            MinPrice is > 0 ? MinPrice : null, MaxPrice is > 0 ? MaxPrice : null,
            sellerId, SearchCursor.Parse(After), PageSize), cancellationToken);
    }

    /// <summary>The current filters with the next page's cursor.</summary>
    public string NextPageUrl()
    {
        var query = new Dictionary<string, string?>
        {
            ["q"] = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim(),
            ["danh-muc"] = ShowsCategoryFilter ? CategorySlug : null,
            ["tinh"] = Province,
            ["ocop"] = Ocop?.ToString(CultureInfo.InvariantCulture),
            ["gia-tu"] = MinPrice?.ToString(CultureInfo.InvariantCulture),
            ["gia-den"] = MaxPrice?.ToString(CultureInfo.InvariantCulture),
            ["sau"] = Result.Next?.ToString(),
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(ListingPath,
            query.Where(kv => !string.IsNullOrEmpty(kv.Value)));
    }
}
