namespace Cho40.Web.Catalog;

/// <summary>
/// The drawn picture of a category (wwwroot/img/cat/{slug}.svg, ~400 bytes each, hand-drawn SVG) for products without a
/// photo; subcategories use their top category's (ShopQueries gives the top slug); unknown categories a plain parcel.
/// </summary>
public static class CategoryIllustrations
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "che-tra", "gao", "rau-cu", "trai-cay", "dac-san-ocop", "mat-ong", "nam", "mien-bun", "gia-vi", "qua-tang",
    };

    public static string Url(string? categorySlug) =>
        "/img/cat/" + (categorySlug is not null && Known.Contains(categorySlug) ? categorySlug : "san-pham") + ".svg";
}
