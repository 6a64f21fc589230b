using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// Who is acting and for which seller. Every query in <see cref="CatalogProducts"/>, <see cref="CatalogPhotos"/> and <see cref="CatalogFiles"/> is scoped by
/// <see cref="SellerId"/> in SQL and checks, in the same statement, that <see cref="UserId"/> is a
/// member of that seller and that the seller is approved: another seller's ids simply match no row.
/// </summary>
public sealed record SellerScope(long SellerId, long UserId);

public sealed record CategoryOption(int Id, string Slug, string Name, int? ParentId);

public sealed record CatalogProductSummary(long Id, string Slug, string Name, string Unit, long PriceVnd, int Stock,
    string Status, string CategoryName, DateTimeOffset UpdatedAt, long? CoverImageId);

// Records with init properties rather than positional ones: Dapper cannot match a text[] column to a constructor parameter.
public sealed record CatalogProduct
{
    public long Id { get; init; }
    public long SellerId { get; init; }
    public string Slug { get; init; } = "";
    public string Name { get; init; } = "";
    public string DescriptionMd { get; init; } = "";
    public int CategoryId { get; init; }
    public string Unit { get; init; } = "";
    public long PriceVnd { get; init; }
    public int Stock { get; init; }
    public short? OcopStars { get; init; }
    public string[] Certifications { get; init; } = [];
    public string? OriginProvinceCode { get; init; }
    public string? OriginCommuneCode { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>What a seller writes about a product (the form and the import both produce it).</summary>
public sealed record CatalogProductInput(string Name, string DescriptionMd, int CategoryId, string Unit, long PriceVnd, int Stock,
    short? OcopStars, string[] Certifications, string? OriginProvinceCode, string? OriginCommuneCode);

public sealed record CatalogImage(long Id, string Sha256, int Width, int Height, int SortOrder);

/// <summary>An uploaded photo already checked by decoding it: its SHA-256, type, size and bytes.</summary>
public sealed record MediaBlob(string Sha256, string ContentType, int Width, int Height, byte[] Bytes);

/// <summary>What the public image endpoint needs to know about an image before reading any bytes.</summary>
public sealed record ImageLookup(string Sha256, string ContentType, bool IsPublic);

/// <summary>One row of the listings file (XLSX/CSV), already parsed and checked on its own.</summary>
public sealed record CatalogFileRow(int RowNumber, string? Slug, string Name, string Category, string Unit, long PriceVnd,
    int Stock, short? OcopStars, string[] Certifications, string Province, string Commune, string? Status, string DescriptionMd);

/// <summary>A listing as exported: names (category, province, commune) rather than codes, exactly as import reads them.</summary>
public sealed record CatalogExportRow
{
    public string Slug { get; init; } = "";
    public string Name { get; init; } = "";
    public string Category { get; init; } = "";
    public string Unit { get; init; } = "";
    public long PriceVnd { get; init; }
    public int Stock { get; init; }
    public short? OcopStars { get; init; }
    public string[] Certifications { get; init; } = [];
    public string Province { get; init; } = "";
    public string Commune { get; init; } = "";
    public string Status { get; init; } = "";
    public string DescriptionMd { get; init; } = "";
}

/// <summary>A rejected row: its number in the file, what was wrong (a code) and the value that was wrong.</summary>
public sealed record ImportProblem(int RowNumber, string Code, string Value);

public sealed record ImportOutcome(bool Authorised, IReadOnlyList<ImportProblem> Problems, int Created, int Updated);

/// <summary>The seller side of the catalogue: a seller's own products (list, read, create, edit, publish).</summary>
public sealed class CatalogProducts(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<CategoryOption>> CategoriesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CategoryOption>(new CommandDefinition("""
            SELECT c.id, c.slug, c.name, c.parent_id AS ParentId
            FROM categories c LEFT JOIN categories parent ON parent.id = c.parent_id
            ORDER BY COALESCE(parent.sort_order, c.sort_order), c.parent_id NULLS FIRST, c.sort_order
            """, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<CatalogProductSummary>> ListAsync(SellerScope scope, string? status,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CatalogProductSummary>(new CommandDefinition($"""
            SELECT p.id, p.slug, p.name, p.unit, p.price_vnd AS PriceVnd, p.stock, p.status, c.name AS CategoryName,
                   p.updated_at AS UpdatedAt,
                   (SELECT i.id FROM product_images i WHERE i.product_id = p.id ORDER BY i.sort_order, i.id LIMIT 1) AS CoverImageId
            FROM products p JOIN categories c ON c.id = p.category_id
            WHERE p.seller_id = @SellerId AND {CatalogScope.InScope}
              AND (@status::text IS NULL OR p.status = @status)
            ORDER BY p.updated_at DESC, p.id DESC
            """, new { scope.SellerId, scope.UserId, status }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<CatalogProduct?> GetAsync(SellerScope scope, long productId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CatalogProduct>(new CommandDefinition($"""
            SELECT p.id, p.seller_id AS SellerId, p.slug, p.name, p.description_md AS DescriptionMd, p.category_id AS CategoryId,
                   p.unit, p.price_vnd AS PriceVnd, p.stock, p.ocop_stars AS OcopStars, p.certifications,
                   p.origin_province_code AS OriginProvinceCode, p.origin_commune_code AS OriginCommuneCode, p.status,
                   p.updated_at AS UpdatedAt
            FROM products p
            WHERE p.id = @productId AND p.seller_id = @SellerId AND {CatalogScope.InScope}
            """, new { productId, scope.SellerId, scope.UserId }, cancellationToken: cancellationToken));
    }

    /// <summary>Creates a draft listing; its slug comes from the name, with "-2", "-3"… when taken. Null when out of scope.</summary>
    public async Task<(long Id, string Slug)?> CreateAsync(SellerScope scope, CatalogProductInput input, string baseSlug, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await CatalogScope.InScopeAsync(connection, tx, scope, cancellationToken)) return null;
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@SlugLock)", new { CatalogScope.SlugLock }, tx,
            cancellationToken: cancellationToken));
        var taken = await CatalogScope.TakenSlugsAsync(connection, tx, [baseSlug], cancellationToken);
        var slug = CatalogScope.UniqueSlug(baseSlug, taken);
        var id = await connection.QuerySingleAsync<long>(new CommandDefinition("""
            INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, ocop_stars,
                                  certifications, origin_province_code, origin_commune_code, status, created_at, updated_at)
            VALUES (@SellerId, @CategoryId, @slug, @Name, @DescriptionMd, @Unit, @PriceVnd, @Stock, @OcopStars,
                    @Certifications, @OriginProvinceCode, @OriginCommuneCode, 'draft', @now, @now)
            RETURNING id
            """, new { scope.SellerId, input.CategoryId, slug, input.Name, input.DescriptionMd, input.Unit, input.PriceVnd,
                input.Stock, input.OcopStars, input.Certifications, input.OriginProvinceCode, input.OriginCommuneCode, now }, tx,
                    cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return (id, slug);
    }

    /// <summary>Saves the seller's changes. The slug never changes (links and printed codes keep working).</summary>
    public async Task<bool> UpdateAsync(SellerScope scope, long productId, CatalogProductInput input, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition($"""
            UPDATE products SET name = @Name, description_md = @DescriptionMd, category_id = @CategoryId, unit = @Unit,
                   price_vnd = @PriceVnd, stock = @Stock, ocop_stars = @OcopStars, certifications = @Certifications,
                   origin_province_code = @OriginProvinceCode, origin_commune_code = @OriginCommuneCode, updated_at = @now
            WHERE id = @productId AND seller_id = @SellerId AND {CatalogScope.InScope}
            """, new { productId, scope.SellerId, scope.UserId, input.Name, input.DescriptionMd, input.CategoryId, input.Unit,
                input.PriceVnd, input.Stock, input.OcopStars, input.Certifications, input.OriginProvinceCode,
                input.OriginCommuneCode, now }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Publishes ('published') or takes a listing off sale ('unpublished').</summary>
    public async Task<bool> SetStatusAsync(SellerScope scope, long productId, string status, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        if (status is not ("published" or "unpublished")) throw new ArgumentOutOfRangeException(nameof(status));
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition($"""
            UPDATE products SET status = @status, updated_at = @now
            WHERE id = @productId AND seller_id = @SellerId AND {CatalogScope.InScope}
            """, new { productId, status, now, scope.SellerId, scope.UserId }, cancellationToken: cancellationToken)) == 1;
    }
}

/// <summary>What every catalogue query shares: the seller scope check and slug allocation.</summary>
internal static class CatalogScope
{
    /// <summary>Serialises slug allocation (single create and import) so two writers never pick the same suffix.</summary>
    internal const long SlugLock = 7463841;

    // The scope check every statement carries: the user is a member of this seller and the seller is approved.
    internal const string InScope = """
        EXISTS (SELECT 1 FROM seller_members m JOIN sellers s ON s.id = m.seller_id
                WHERE m.seller_id = @SellerId AND m.user_id = @UserId AND s.status = 'approved')
        """;

    internal static async Task<bool> InScopeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, SellerScope scope,
        CancellationToken cancellationToken = default) =>
        await connection.ExecuteScalarAsync<bool>(new CommandDefinition($"SELECT {InScope}", new { scope.SellerId, scope.UserId }, tx,
            cancellationToken: cancellationToken));

    /// <summary>Slugs in use that equal one of the bases or are a base followed by "-N".</summary>
    internal static async Task<HashSet<string>> TakenSlugsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string[] bases,
        CancellationToken cancellationToken = default) =>
        (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT slug FROM products
            WHERE slug = ANY(@bases) OR substring(slug FROM '^(.*)-[0-9]+$') = ANY(@bases)
            """, new { bases }, tx, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);

    internal static string UniqueSlug(string baseSlug, HashSet<string> taken)
    {
        if (!taken.Contains(baseSlug)) return baseSlug;
        for (var n = 2; ; n++)
        {
            var candidate = $"{baseSlug}-{n}";
            if (!taken.Contains(candidate)) return candidate;
        }
    }
}
