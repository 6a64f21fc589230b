using Dapper;
using Npgsql;

namespace Cho40.Db;

public sealed record ProductCard(long Id, string Slug, string Name, string Unit, long PriceVnd, short? OcopStars,
    string SellerName, string SellerSlug, string? ProvinceName);

/// <summary>What the storefront reads: published products and their sellers.</summary>
public sealed class Catalog(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<ProductCard>> LatestPublishedAsync(int limit)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<ProductCard>("""
            SELECT p.id, p.slug, p.name, p.unit, p.price_vnd AS PriceVnd, p.ocop_stars AS OcopStars,
                   s.name AS SellerName, s.slug AS SellerSlug, pr.name AS ProvinceName
            FROM products p
            JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
            LEFT JOIN provinces pr ON pr.code = p.origin_province_code
            WHERE p.status = 'published'
            ORDER BY p.id DESC
            LIMIT @limit
            """, new { limit })).AsList();
    }
}
