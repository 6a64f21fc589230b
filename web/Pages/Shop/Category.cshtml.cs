using Cho40.Db;
using Microsoft.AspNetCore.Mvc;

namespace Cho40.Web.Pages.Shop;

/// <summary>/danh-muc/{slug}: a category's products (with its subcategories'), newest first, with filters.</summary>
public sealed class CategoryModel(ShopQueries shop, AdminUnits units) : ShopListModel(shop, units)
{
    private string slug = "";

    public override string ListingPath => "/danh-muc/" + slug;

    public override bool ShowsCategoryFilter => false;

    public async Task<IActionResult> OnGetAsync(string slug, CancellationToken cancellationToken)
    {
        this.slug = slug;
        var category = (await Store.CategoriesAsync(cancellationToken)).FirstOrDefault(c => c.Slug == slug);
        if (category is null) return NotFound();
        Category = category;
        await LoadAsync(cancellationToken: cancellationToken);
        return Page();
    }
}
