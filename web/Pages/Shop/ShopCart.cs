using System.Globalization;
using System.Text;
using Cho40.Db;

namespace Cho40.Web.Pages.Shop;

/// <summary>
/// The basket lives in a cookie ("12x2.45x1": product id × quantity), so it works without an account and
/// without JavaScript. It holds only ids and quantities: names and prices are always read from the database.
/// </summary>
public static class ShopCart
{
    public const string CookieName = "cho40.cart";

    public static List<CartLine> Read(HttpRequest request)
    {
        var lines = new List<CartLine>();
        if (!request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value)) return lines;
        foreach (var part in value.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('x');
            if (pair.Length == 2
                && long.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                && int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity)
                && quantity is >= 1 and <= Orders.MaxQuantity
                && lines.All(l => l.ProductId != id)
                && lines.Count < Orders.MaxLines)
            {
                lines.Add(new CartLine(id, quantity));
            }
        }
        return lines;
    }

    public static int Count(HttpRequest request) => Read(request).Sum(l => l.Quantity);

    public static void Write(HttpResponse response, IReadOnlyList<CartLine> lines)
    {
        if (lines.Count == 0)
        {
            response.Cookies.Delete(CookieName);
            return;
        }
        var value = new StringBuilder();
        foreach (var line in lines.Take(Orders.MaxLines))
        {
            if (value.Length > 0) value.Append('.');
            value.Append(CultureInfo.InvariantCulture, $"{line.ProductId}x{line.Quantity}");
        }
        response.Cookies.Append(CookieName, value.ToString(), new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, MaxAge = TimeSpan.FromDays(30), Path = "/",
        });
    }

    /// <summary>Adds to (or sets) a product's quantity, capped at 999; quantity 0 removes it.</summary>
    public static List<CartLine> With(IReadOnlyList<CartLine> lines, long productId, int quantity, bool add)
    {
        var result = lines.Where(l => l.ProductId != productId).ToList();
        var existing = lines.FirstOrDefault(l => l.ProductId == productId)?.Quantity ?? 0;
        var next = Math.Clamp(add ? existing + quantity : quantity, 0, Orders.MaxQuantity);
        if (next > 0) result.Add(new CartLine(productId, next));
        return result;
    }
}
