using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Cho40.Db;

/// <summary>
/// Who is acting and for which seller. Every query in <see cref="Listings"/> is scoped by
/// <see cref="SellerId"/> in SQL and checks, in the same statement, that <see cref="UserId"/> is a
/// member of that seller and that the seller is approved: another seller's ids simply match no row.
/// </summary>
public sealed record SellerScope(long SellerId, long UserId);

public sealed record CategoryOption(int Id, string Slug, string Name, int? ParentId);

public sealed record ListingSummary(long Id, string Slug, string Name, string Unit, long PriceVnd, int Stock,
    string Status, string CategoryName, DateTimeOffset UpdatedAt, long? CoverImageId);

// Records with init properties rather than positional ones: Dapper cannot match a text[] column to a constructor parameter.
public sealed record Listing
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
public sealed record ListingInput(string Name, string DescriptionMd, int CategoryId, string Unit, long PriceVnd, int Stock,
    short? OcopStars, string[] Certifications, string? OriginProvinceCode, string? OriginCommuneCode);

public sealed record ListingImage(long Id, string Sha256, int Width, int Height, int SortOrder);

/// <summary>An uploaded photo already checked by decoding it: its SHA-256, type, size and bytes.</summary>
public sealed record MediaBlob(string Sha256, string ContentType, int Width, int Height, byte[] Bytes);

/// <summary>What the public image endpoint needs to know about an image before reading any bytes.</summary>
public sealed record ImageLookup(string Sha256, string ContentType, bool IsPublic);

/// <summary>One row of the listings file (XLSX/CSV), already parsed and checked on its own.</summary>
public sealed record ListingFileRow(int RowNumber, string? Slug, string Name, string Category, string Unit, long PriceVnd,
    int Stock, short? OcopStars, string[] Certifications, string Province, string Commune, string? Status, string DescriptionMd);

/// <summary>A listing as exported: names (category, province, commune) rather than codes, exactly as import reads them.</summary>
public sealed record ListingExportRow
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

/// <summary>The seller side of the catalogue: a seller's own products, their photos, bulk import and export.</summary>
public sealed class Listings(NpgsqlDataSource db)
{
    /// <summary>Serialises slug allocation (single create and import) so two writers never pick the same suffix.</summary>
    private const long SlugLock = 7463841;

    // The scope check every statement carries: the user is a member of this seller and the seller is approved.
    private const string InScope = """
        EXISTS (SELECT 1 FROM seller_members m JOIN sellers s ON s.id = m.seller_id
                WHERE m.seller_id = @SellerId AND m.user_id = @UserId AND s.status = 'approved')
        """;

    public async Task<IReadOnlyList<CategoryOption>> CategoriesAsync()
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<CategoryOption>("""
            SELECT c.id, c.slug, c.name, c.parent_id AS ParentId
            FROM categories c LEFT JOIN categories parent ON parent.id = c.parent_id
            ORDER BY COALESCE(parent.sort_order, c.sort_order), c.parent_id NULLS FIRST, c.sort_order
            """)).AsList();
    }

    public async Task<IReadOnlyList<ListingSummary>> ListAsync(SellerScope scope, string? status)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<ListingSummary>($"""
            SELECT p.id, p.slug, p.name, p.unit, p.price_vnd AS PriceVnd, p.stock, p.status, c.name AS CategoryName,
                   p.updated_at AS UpdatedAt,
                   (SELECT i.id FROM product_images i WHERE i.product_id = p.id ORDER BY i.sort_order, i.id LIMIT 1) AS CoverImageId
            FROM products p JOIN categories c ON c.id = p.category_id
            WHERE p.seller_id = @SellerId AND {InScope}
              AND (@status::text IS NULL OR p.status = @status)
            ORDER BY p.updated_at DESC, p.id DESC
            """, new { scope.SellerId, scope.UserId, status })).AsList();
    }

    public async Task<Listing?> GetAsync(SellerScope scope, long productId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<Listing>($"""
            SELECT p.id, p.seller_id AS SellerId, p.slug, p.name, p.description_md AS DescriptionMd, p.category_id AS CategoryId,
                   p.unit, p.price_vnd AS PriceVnd, p.stock, p.ocop_stars AS OcopStars, p.certifications,
                   p.origin_province_code AS OriginProvinceCode, p.origin_commune_code AS OriginCommuneCode, p.status,
                   p.updated_at AS UpdatedAt
            FROM products p
            WHERE p.id = @productId AND p.seller_id = @SellerId AND {InScope}
            """, new { productId, scope.SellerId, scope.UserId });
    }

    /// <summary>Creates a draft listing; its slug comes from the name, with "-2", "-3"… when taken. Null when out of scope.</summary>
    public async Task<(long Id, string Slug)?> CreateAsync(SellerScope scope, ListingInput input, string baseSlug, DateTimeOffset now)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        if (!await InScopeAsync(connection, tx, scope)) return null;
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@SlugLock)", new { SlugLock }, tx);
        var taken = await TakenSlugsAsync(connection, tx, [baseSlug]);
        var slug = UniqueSlug(baseSlug, taken);
        var id = await connection.QuerySingleAsync<long>("""
            INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, ocop_stars,
                                  certifications, origin_province_code, origin_commune_code, status, created_at, updated_at)
            VALUES (@SellerId, @CategoryId, @slug, @Name, @DescriptionMd, @Unit, @PriceVnd, @Stock, @OcopStars,
                    @Certifications, @OriginProvinceCode, @OriginCommuneCode, 'draft', @now, @now)
            RETURNING id
            """, new { scope.SellerId, input.CategoryId, slug, input.Name, input.DescriptionMd, input.Unit, input.PriceVnd,
                input.Stock, input.OcopStars, input.Certifications, input.OriginProvinceCode, input.OriginCommuneCode, now }, tx);
        await tx.CommitAsync();
        return (id, slug);
    }

    /// <summary>Saves the seller's changes. The slug never changes (links and printed codes keep working).</summary>
    public async Task<bool> UpdateAsync(SellerScope scope, long productId, ListingInput input, DateTimeOffset now)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync($"""
            UPDATE products SET name = @Name, description_md = @DescriptionMd, category_id = @CategoryId, unit = @Unit,
                   price_vnd = @PriceVnd, stock = @Stock, ocop_stars = @OcopStars, certifications = @Certifications,
                   origin_province_code = @OriginProvinceCode, origin_commune_code = @OriginCommuneCode, updated_at = @now
            WHERE id = @productId AND seller_id = @SellerId AND {InScope}
            """, new { productId, scope.SellerId, scope.UserId, input.Name, input.DescriptionMd, input.CategoryId, input.Unit,
                input.PriceVnd, input.Stock, input.OcopStars, input.Certifications, input.OriginProvinceCode,
                input.OriginCommuneCode, now }) == 1;
    }

    /// <summary>Publishes ('published') or takes a listing off sale ('unpublished').</summary>
    public async Task<bool> SetStatusAsync(SellerScope scope, long productId, string status, DateTimeOffset now)
    {
        if (status is not ("published" or "unpublished")) throw new ArgumentOutOfRangeException(nameof(status));
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteAsync($"""
            UPDATE products SET status = @status, updated_at = @now
            WHERE id = @productId AND seller_id = @SellerId AND {InScope}
            """, new { productId, status, now, scope.SellerId, scope.UserId }) == 1;
    }

    // ---------------------------------------------------------------------------------------------
    // Photos
    // ---------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<ListingImage>> ImagesAsync(SellerScope scope, long productId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<ListingImage>($"""
            SELECT i.id, i.storage_key AS Sha256, i.width, i.height, i.sort_order AS SortOrder
            FROM product_images i JOIN products p ON p.id = i.product_id
            WHERE i.product_id = @productId AND p.seller_id = @SellerId AND {InScope}
            ORDER BY i.sort_order, i.id
            """, new { productId, scope.SellerId, scope.UserId })).AsList();
    }

    /// <summary>
    /// Adds a photo as the product's last one. The bytes are stored once whatever the number of products
    /// (or sellers) that use them. Adding the same photo twice to one product returns the existing image.
    /// Null when the product is out of scope.
    /// </summary>
    public async Task<long?> AddImageAsync(SellerScope scope, long productId, MediaBlob blob)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAddImageAsync(scope, productId, blob);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && attempt < 3)
            {
                // The same blob was being deleted (its last use removed) while we added it: add it again.
            }
        }
    }

    private async Task<long?> TryAddImageAsync(SellerScope scope, long productId, MediaBlob blob)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        // Lock the product row: concurrent uploads to one product get distinct sort orders.
        var found = await connection.ExecuteScalarAsync<long?>($"""
            SELECT p.id FROM products p WHERE p.id = @productId AND p.seller_id = @SellerId AND {InScope} FOR UPDATE
            """, new { productId, scope.SellerId, scope.UserId }, tx);
        if (found is null) return null;
        await connection.ExecuteAsync("""
            INSERT INTO media_blobs (sha256, content_type, width, height, byte_size, bytes)
            VALUES (@Sha256, @ContentType, @Width, @Height, @size, @Bytes)
            ON CONFLICT (sha256) DO NOTHING
            """, new { blob.Sha256, blob.ContentType, blob.Width, blob.Height, size = blob.Bytes.Length, blob.Bytes }, tx);
        var id = await connection.QuerySingleAsync<long>("""
            WITH added AS (
                INSERT INTO product_images (product_id, storage_key, content_type, width, height, sort_order)
                SELECT @productId, @Sha256, @ContentType, @Width, @Height,
                       COALESCE((SELECT max(sort_order) + 1 FROM product_images WHERE product_id = @productId), 0)
                ON CONFLICT (product_id, storage_key) DO NOTHING
                RETURNING id)
            SELECT id FROM added
            UNION ALL SELECT id FROM product_images WHERE product_id = @productId AND storage_key = @Sha256
            LIMIT 1
            """, new { productId, blob.Sha256, blob.ContentType, blob.Width, blob.Height }, tx);
        await connection.ExecuteAsync("UPDATE products SET updated_at = now() WHERE id = @productId", new { productId }, tx);
        await tx.CommitAsync();
        return id;
    }

    /// <summary>Removes a photo from a product; the stored bytes go too when no product uses them any more.</summary>
    public async Task<bool> DeleteImageAsync(SellerScope scope, long productId, long imageId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var key = await connection.ExecuteScalarAsync<string?>($"""
            DELETE FROM product_images i USING products p
            WHERE i.id = @imageId AND i.product_id = @productId AND p.id = i.product_id AND p.seller_id = @SellerId AND {InScope}
            RETURNING i.storage_key
            """, new { imageId, productId, scope.SellerId, scope.UserId }, tx);
        if (key is null) return false;
        await connection.ExecuteAsync("""
            DELETE FROM media_blobs b
            WHERE b.sha256 = @key AND NOT EXISTS (SELECT 1 FROM product_images i WHERE i.storage_key = b.sha256)
            """, new { key }, tx);
        await tx.CommitAsync();
        return true;
    }

    /// <summary>Moves a photo one place earlier (-1) or later (+1); the first photo is the cover.</summary>
    public async Task<bool> MoveImageAsync(SellerScope scope, long productId, long imageId, int direction)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var order = (await connection.QueryAsync<long>($"""
            SELECT i.id FROM product_images i JOIN products p ON p.id = i.product_id
            WHERE i.product_id = @productId AND p.seller_id = @SellerId AND {InScope}
            ORDER BY i.sort_order, i.id
            FOR UPDATE OF i
            """, new { productId, scope.SellerId, scope.UserId }, tx)).AsList();
        var at = order.IndexOf(imageId);
        if (at < 0) return false;
        var to = Math.Clamp(at + Math.Sign(direction), 0, order.Count - 1);
        (order[at], order[to]) = (order[to], order[at]);
        await connection.ExecuteAsync("""
            UPDATE product_images i SET sort_order = o.position
            FROM unnest(@ids::bigint[]) WITH ORDINALITY AS o (id, position)
            WHERE i.id = o.id AND i.product_id = @productId
            """, new { ids = order.ToArray(), productId }, tx);
        await tx.CommitAsync();
        return true;
    }

    /// <summary>
    /// The image behind <c>/img/p/{imageId}/…</c>: public when its product is published by an approved seller;
    /// otherwise only the seller's own members may see it (null for everyone else).
    /// </summary>
    public async Task<ImageLookup?> FindImageAsync(long imageId, long? userId)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleOrDefaultAsync<ImageLookup>("""
            SELECT i.storage_key AS Sha256, i.content_type AS ContentType,
                   (p.status = 'published' AND s.status = 'approved') AS IsPublic
            FROM product_images i JOIN products p ON p.id = i.product_id JOIN sellers s ON s.id = p.seller_id
            WHERE i.id = @imageId
              AND ((p.status = 'published' AND s.status = 'approved')
                   OR EXISTS (SELECT 1 FROM seller_members m WHERE m.seller_id = p.seller_id AND m.user_id = @userId))
            """, new { imageId, userId });
    }

    public async Task<byte[]?> BlobBytesAsync(string sha256)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<byte[]?>("SELECT bytes FROM media_blobs WHERE sha256 = @sha256", new { sha256 });
    }

    // ---------------------------------------------------------------------------------------------
    // Export and import
    // ---------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<ListingExportRow>?> ExportAsync(SellerScope scope)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        if (!await InScopeAsync(connection, tx, scope)) return null;
        return (await connection.QueryAsync<ListingExportRow>("""
            SELECT p.slug, p.name, c.name AS Category, p.unit, p.price_vnd AS PriceVnd, p.stock, p.ocop_stars AS OcopStars,
                   p.certifications, COALESCE(pr.name, '') AS Province, COALESCE(co.name, '') AS Commune, p.status,
                   p.description_md AS DescriptionMd
            FROM products p
            JOIN categories c ON c.id = p.category_id
            LEFT JOIN provinces pr ON pr.code = p.origin_province_code
            LEFT JOIN communes co ON co.code = p.origin_commune_code
            WHERE p.seller_id = @SellerId
            ORDER BY p.id
            """, new { scope.SellerId }, tx)).AsList();
    }

    /// <summary>
    /// Imports rows all-or-nothing: the rows are copied into a staging table, every reference (category,
    /// province, commune, slug) is checked in SQL, and only when no row is rejected are the listings created
    /// (new slug) or updated (a slug this seller owns) in one set-based statement each.
    /// </summary>
    /// <remarks>With <paramref name="checkOnly"/> nothing is written: the rows are only checked (to report every problem of a file
    /// whose other rows already failed their own checks).</remarks>
    public async Task<ImportOutcome> ImportAsync(SellerScope scope, IReadOnlyList<ListingFileRow> rows, DateTimeOffset now,
        bool checkOnly = false)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        if (!await InScopeAsync(connection, tx, scope)) return new ImportOutcome(false, [], 0, 0);
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@SlugLock)", new { SlugLock }, tx);

        await connection.ExecuteAsync("""
            CREATE TEMP TABLE listing_import (
                row_no integer NOT NULL, slug text, name text NOT NULL, category text NOT NULL, unit text NOT NULL,
                price_vnd bigint NOT NULL, stock integer NOT NULL, ocop_stars smallint, certifications text[] NOT NULL,
                province text NOT NULL, commune text NOT NULL, status text, description_md text NOT NULL,
                category_id integer, province_code text, commune_code text, owner_id bigint
            ) ON COMMIT DROP
            """, transaction: tx);
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY listing_import (row_no, slug, name, category, unit, price_vnd, stock, ocop_stars, certifications,
                                 province, commune, status, description_md) FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var r in rows)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(r.RowNumber, NpgsqlDbType.Integer);
                await WriteNullableAsync(copy, r.Slug);
                await copy.WriteAsync(r.Name, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Category, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Unit, NpgsqlDbType.Text);
                await copy.WriteAsync(r.PriceVnd, NpgsqlDbType.Bigint);
                await copy.WriteAsync(r.Stock, NpgsqlDbType.Integer);
                if (r.OcopStars is { } stars) await copy.WriteAsync(stars, NpgsqlDbType.Smallint); else await copy.WriteNullAsync();
                await copy.WriteAsync(r.Certifications, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(r.Province, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Commune, NpgsqlDbType.Text);
                await WriteNullableAsync(copy, r.Status);
                await copy.WriteAsync(r.DescriptionMd, NpgsqlDbType.Text);
            }
            await copy.CompleteAsync();
        }

        // Resolve names to codes. A category matches its slug or its name (diacritics and case ignored); a
        // province its name, with or without "Tỉnh"/"Thành phố"; a commune its name within that province,
        // with or without "Xã"/"Phường"/"Đặc khu" when that leaves exactly one.
        await connection.ExecuteAsync("""
            UPDATE listing_import i SET
                category_id = (SELECT c.id FROM categories c
                               WHERE c.slug = lower(btrim(i.category)) OR f_search_fold(c.name) = f_search_fold(btrim(i.category))
                               ORDER BY c.id LIMIT 1),
                province_code = (SELECT p.code FROM provinces p
                                 WHERE i.province <> '' AND p.name_folded IN (
                                     f_search_fold(btrim(i.province)),
                                     regexp_replace(f_search_fold(btrim(i.province)), '^(tinh|thanh pho|tp\.?)\s+', ''))
                                 ORDER BY p.code LIMIT 1),
                owner_id = (SELECT p.seller_id FROM products p WHERE p.slug = i.slug);
            UPDATE listing_import i SET
                commune_code = (SELECT min(c.code) FROM communes c
                                WHERE i.commune <> '' AND c.province_code = i.province_code
                                  AND c.name_folded IN (f_search_fold(btrim(i.commune)), 'xa ' || f_search_fold(btrim(i.commune)),
                                                        'phuong ' || f_search_fold(btrim(i.commune)),
                                                        'dac khu ' || f_search_fold(btrim(i.commune)))
                                HAVING count(*) = 1)
            WHERE i.province_code IS NOT NULL;
            """, transaction: tx);

        var problems = (await connection.QueryAsync<ImportProblem>("""
            SELECT row_no AS RowNumber, 'category' AS Code, category AS Value FROM listing_import WHERE category_id IS NULL
            UNION ALL
            SELECT row_no, 'province', province FROM listing_import WHERE province <> '' AND province_code IS NULL
            UNION ALL
            SELECT row_no, 'commune_without_province', commune FROM listing_import WHERE commune <> '' AND province = ''
            UNION ALL
            SELECT row_no, 'commune', commune FROM listing_import
            WHERE commune <> '' AND province_code IS NOT NULL AND commune_code IS NULL
            UNION ALL
            SELECT row_no, 'slug_other_seller', slug FROM listing_import WHERE owner_id IS NOT NULL AND owner_id <> @SellerId
            UNION ALL
            SELECT row_no, 'slug_duplicate', slug FROM (
                SELECT row_no, slug, row_number() OVER (PARTITION BY slug ORDER BY row_no) AS n
                FROM listing_import WHERE slug IS NOT NULL) d
            WHERE n > 1
            ORDER BY 1, 2
            """, new { scope.SellerId }, tx)).AsList();
        if (problems.Count > 0 || checkOnly) return new ImportOutcome(true, problems, 0, 0);

        // Rows without a slug are new listings: give each a unique slug from its name.
        var unnamed = rows.Where(r => r.Slug is null).ToList();
        if (unnamed.Count > 0)
        {
            var bases = unnamed.Select(r => Domain.Slug.From(r.Name)).ToList();
            var taken = await TakenSlugsAsync(connection, tx, bases.Distinct().ToArray());
            taken.UnionWith(rows.Where(r => r.Slug is not null).Select(r => r.Slug!));
            var assigned = new List<(int Row, string Slug)>(unnamed.Count);
            for (var k = 0; k < unnamed.Count; k++)
            {
                var slug = UniqueSlug(bases[k], taken);
                taken.Add(slug);
                assigned.Add((unnamed[k].RowNumber, slug));
            }
            await connection.ExecuteAsync("""
                UPDATE listing_import i SET slug = a.slug
                FROM unnest(@rowNumbers, @slugs) AS a (row_no, slug) WHERE i.row_no = a.row_no
                """, new { rowNumbers = assigned.Select(a => a.Row).ToArray(), slugs = assigned.Select(a => a.Slug).ToArray() }, tx);
        }

        var updated = await connection.ExecuteAsync("""
            UPDATE products p SET name = i.name, category_id = i.category_id, unit = i.unit, price_vnd = i.price_vnd,
                   stock = i.stock, ocop_stars = i.ocop_stars, certifications = i.certifications,
                   origin_province_code = i.province_code, origin_commune_code = i.commune_code,
                   status = COALESCE(i.status, p.status), description_md = i.description_md, updated_at = @now
            FROM listing_import i
            WHERE p.slug = i.slug AND p.seller_id = @SellerId
            """, new { scope.SellerId, now }, tx);
        var created = await connection.ExecuteAsync("""
            INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, ocop_stars,
                                  certifications, origin_province_code, origin_commune_code, status, created_at, updated_at)
            SELECT @SellerId, i.category_id, i.slug, i.name, i.description_md, i.unit, i.price_vnd, i.stock, i.ocop_stars,
                   i.certifications, i.province_code, i.commune_code, COALESCE(i.status, 'draft'), @now, @now
            FROM listing_import i
            WHERE i.owner_id IS NULL
            ORDER BY i.row_no
            """, new { scope.SellerId, now }, tx);
        await tx.CommitAsync();
        return new ImportOutcome(true, [], created, updated);
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) await copy.WriteNullAsync(); else await copy.WriteAsync(value, NpgsqlDbType.Text);
    }

    private static async Task<bool> InScopeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, SellerScope scope) =>
        await connection.ExecuteScalarAsync<bool>($"SELECT {InScope}", new { scope.SellerId, scope.UserId }, tx);

    /// <summary>Slugs in use that equal one of the bases or are a base followed by "-N".</summary>
    private static async Task<HashSet<string>> TakenSlugsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string[] bases) =>
        (await connection.QueryAsync<string>("""
            SELECT slug FROM products
            WHERE slug = ANY(@bases) OR substring(slug FROM '^(.*)-[0-9]+$') = ANY(@bases)
            """, new { bases }, tx)).ToHashSet(StringComparer.Ordinal);

    private static string UniqueSlug(string baseSlug, HashSet<string> taken)
    {
        if (!taken.Contains(baseSlug)) return baseSlug;
        for (var n = 2; ; n++)
        {
            var candidate = $"{baseSlug}-{n}";
            if (!taken.Contains(candidate)) return candidate;
        }
    }
}
