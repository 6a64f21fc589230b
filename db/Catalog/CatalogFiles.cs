using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Cho40.Db;

/// <summary>Bulk export and all-or-nothing import of a seller's products (XLSX/CSV rows already parsed).</summary>
public sealed class CatalogFiles(NpgsqlDataSource db)
{

    public async Task<IReadOnlyList<CatalogExportRow>?> ExportAsync(SellerScope scope, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await CatalogScope.InScopeAsync(connection, tx, scope, cancellationToken)) return null;
        return (await connection.QueryAsync<CatalogExportRow>(new CommandDefinition("""
            SELECT p.slug, p.name, c.name AS Category, p.unit, p.price_vnd AS PriceVnd, p.stock, p.ocop_stars AS OcopStars,
                   p.certifications, COALESCE(pr.name, '') AS Province, COALESCE(co.name, '') AS Commune, p.status,
                   p.description_md AS DescriptionMd
            FROM products p
            JOIN categories c ON c.id = p.category_id
            LEFT JOIN provinces pr ON pr.code = p.origin_province_code
            LEFT JOIN communes co ON co.code = p.origin_commune_code
            WHERE p.seller_id = @SellerId
            ORDER BY p.id
            """, new { scope.SellerId }, tx, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Imports rows all-or-nothing: the rows are copied into a staging table, every reference (category,
    /// province, commune, slug) is checked in SQL, and only when no row is rejected are the listings created
    /// (new slug) or updated (a slug this seller owns) in one set-based statement each.
    /// </summary>
    /// <remarks>With <paramref name="checkOnly"/> nothing is written: the rows are only checked (to report every problem of a file
    /// whose other rows already failed their own checks).</remarks>
    public async Task<ImportOutcome> ImportAsync(SellerScope scope, IReadOnlyList<CatalogFileRow> rows, DateTimeOffset now,
        bool checkOnly = false, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await CatalogScope.InScopeAsync(connection, tx, scope, cancellationToken)) return new ImportOutcome(false, [], 0, 0);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@SlugLock)", new { CatalogScope.SlugLock }, tx,
            cancellationToken: cancellationToken));

        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE listing_import (
                row_no integer NOT NULL, slug text, name text NOT NULL, category text NOT NULL, unit text NOT NULL,
                price_vnd bigint NOT NULL, stock integer NOT NULL, ocop_stars smallint, certifications text[] NOT NULL,
                province text NOT NULL, commune text NOT NULL, status text, description_md text NOT NULL,
                category_id integer, province_code text, commune_code text, owner_id bigint
            ) ON COMMIT DROP
            """, transaction: tx, cancellationToken: cancellationToken));
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY listing_import (row_no, slug, name, category, unit, price_vnd, stock, ocop_stars, certifications,
                                 province, commune, status, description_md) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var r in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(r.RowNumber, NpgsqlDbType.Integer, cancellationToken);
                await WriteNullableAsync(copy, r.Slug, cancellationToken);
                await copy.WriteAsync(r.Name, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Category, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Unit, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.PriceVnd, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(r.Stock, NpgsqlDbType.Integer, cancellationToken);
                if (r.OcopStars is { } stars) await copy.WriteAsync(stars, NpgsqlDbType.Smallint, cancellationToken); else await copy.WriteNullAsync(cancellationToken);
                await copy.WriteAsync(r.Certifications, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Province, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Commune, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, r.Status, cancellationToken);
                await copy.WriteAsync(r.DescriptionMd, NpgsqlDbType.Text, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        // Resolve names to codes. A category matches its slug or its name (diacritics and case ignored); a
        // province its name, with or without "Tỉnh"/"Thành phố"; a commune its name within that province,
        // with or without "Xã"/"Phường"/"Đặc khu" when that leaves exactly one.
        await connection.ExecuteAsync(new CommandDefinition("""
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
            """, transaction: tx, cancellationToken: cancellationToken));

        var problems = (await connection.QueryAsync<ImportProblem>(new CommandDefinition("""
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
            """, new { scope.SellerId }, tx, cancellationToken: cancellationToken))).AsList();
        if (problems.Count > 0 || checkOnly) return new ImportOutcome(true, problems, 0, 0);

        // Rows without a slug are new listings: give each a unique slug from its name.
        var unnamed = rows.Where(r => r.Slug is null).ToList();
        if (unnamed.Count > 0)
        {
            var bases = unnamed.Select(r => Domain.Slug.From(r.Name)).ToList();
            var taken = await CatalogScope.TakenSlugsAsync(connection, tx, bases.Distinct().ToArray(), cancellationToken);
            taken.UnionWith(rows.Where(r => r.Slug is not null).Select(r => r.Slug!));
            var assigned = new List<(int Row, string Slug)>(unnamed.Count);
            for (var k = 0; k < unnamed.Count; k++)
            {
                var slug = CatalogScope.UniqueSlug(bases[k], taken);
                taken.Add(slug);
                assigned.Add((unnamed[k].RowNumber, slug));
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE listing_import i SET slug = a.slug
                FROM unnest(@rowNumbers, @slugs) AS a (row_no, slug) WHERE i.row_no = a.row_no
                """, new { rowNumbers = assigned.Select(a => a.Row).ToArray(), slugs = assigned.Select(a => a.Slug).ToArray() }, tx,
                cancellationToken: cancellationToken));
        }

        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE products p SET name = i.name, category_id = i.category_id, unit = i.unit, price_vnd = i.price_vnd,
                   stock = i.stock, ocop_stars = i.ocop_stars, certifications = i.certifications,
                   origin_province_code = i.province_code, origin_commune_code = i.commune_code,
                   status = COALESCE(i.status, p.status), description_md = i.description_md, updated_at = @now
            FROM listing_import i
            WHERE p.slug = i.slug AND p.seller_id = @SellerId
            """, new { scope.SellerId, now }, tx, cancellationToken: cancellationToken));
        var created = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, ocop_stars,
                                  certifications, origin_province_code, origin_commune_code, status, created_at, updated_at)
            SELECT @SellerId, i.category_id, i.slug, i.name, i.description_md, i.unit, i.price_vnd, i.stock, i.ocop_stars,
                   i.certifications, i.province_code, i.commune_code, COALESCE(i.status, 'draft'), @now, @now
            FROM listing_import i
            WHERE i.owner_id IS NULL
            ORDER BY i.row_no
            """, new { scope.SellerId, now }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new ImportOutcome(true, [], created, updated);
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken)
    {
        if (value is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
    }
}
