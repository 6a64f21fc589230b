using Cho40.Db;

namespace Cho40.Web.Pages.Shop;

/// <summary>GET /search?q=…: relevance-ranked, accent-insensitive search; an empty q lists the catalogue.</summary>
public sealed class SearchModel(ShopQueries shop, AdminUnits units) : ShopListModel(shop, units)
{
    public override string ListingPath => "/search";

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken: cancellationToken);
}
