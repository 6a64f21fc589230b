using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// A product as a card in a list: what the home, category, seller and search pages show. Of its stock a card shows only
/// whether it is sold out (the product page shows how many are left).
/// </summary>
public sealed record ShopCard(long Id, string Slug, string Name, string Unit, long PriceVnd, bool SoldOut, short? OcopStars,
    string SellerName, string SellerSlug, string? ProvinceName, long? ImageId, string? CategorySlug = null);

public sealed record ShopCategory(int Id, string Slug, string Name, string NameEn, int? ParentId);

public sealed record ShopProduct(long Id, string Slug, string Name, string DescriptionMd, string Unit, long PriceVnd, int Stock,
    short? OcopStars, string CertificationList, string? OriginProvinceName, string? OriginCommuneName,
    long SellerId, string SellerName, string SellerSlug, string CategorySlug, string CategoryName, string CategoryNameEn)
{
    public IReadOnlyList<long> ImageIds { get; init; } = [];

    /// <summary>Certifications (VietGAP, organic…), read as one unit-separator-joined text (Dapper maps text[] poorly in records).</summary>
    public IReadOnlyList<string> Certifications => CertificationList.Split('\u001f', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A basket line's product, as on sale now (only published products of approved sellers are returned).</summary>
public sealed record CartProduct(long Id, string Slug, string Name, string Unit, long PriceVnd, int Stock, long SellerId,
    string SellerName, string SellerSlug);

public sealed record ShopSeller(long Id, string Slug, string Name, string Kind, string ProvinceName, string? CommuneName,
    string Description);

/// <summary>Search input. Empty text lists the catalogue (newest first); filters narrow either.</summary>
public sealed record SearchQuery(string? Text, int? CategoryId = null, string? ProvinceCode = null, int? MinOcopStars = null,
    long? MinPriceVnd = null, long? MaxPriceVnd = null, long? SellerId = null, SearchCursor? After = null, int Limit = 24);

/// <summary>Keyset position: the (rank, id) of the last card shown; the next page starts strictly after it.</summary>
public sealed record SearchCursor(int Rank, long Id)
{
    public override string ToString() => $"{Rank}_{Id}";

    public static SearchCursor? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var parts = text.Split('_');
        return parts.Length == 2 && int.TryParse(parts[0], System.Globalization.NumberStyles.AllowLeadingSign,
                   System.Globalization.CultureInfo.InvariantCulture, out var rank)
               && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? new SearchCursor(rank, id)
            : null;
    }
}

public sealed record SearchHit(ShopCard Card, int Rank);

public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, SearchCursor? Next);

/// <summary>
/// What shoppers read: published products of approved sellers, categories, seller pages and search.
/// Search folds the text the way products.name_folded is folded (f_search_fold: no diacritics, lower
/// case), so "che tan cuong", "CHÈ TÂN CƯƠNG" and "tan cuong" all find "Chè Tân Cương".
/// </summary>
public sealed class ShopQueries(NpgsqlDataSource db, IMemoryCache? cache = null, NpgsqlDataSource? searchDb = null,
    bool cacheTextSearches = true, CatalogSearchIndex? searchIndex = null, AdminUnits? units = null)
{
    private readonly AdminUnits units = units ?? new AdminUnits(db);

    /// <summary>
    /// The connection string for text searches (<c>searchDb</c>): always a plan made for the actual words. A prepared
    /// statement may otherwise switch to a generic plan, which cannot know whether a word is in 40 % of the names (read
    /// them in length order and stop) or in three (look them up) — the difference between 1 ms and 100 ms.
    /// </summary>
    public static string SearchConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c plan_cache_mode=force_custom_plan" }.ConnectionString;

    public const int MaxQueryLength = 100;

    /// <summary>
    /// How long listing and search results are reused (when a cache is given): the same query from many anonymous
    /// shoppers reads the database once per interval. Product pages, the cart and checkout always read live data.
    /// </summary>
    public static readonly TimeSpan ListingCacheDuration = TimeSpan.FromSeconds(30);

    private async Task<T> CachedAsync<T>(object key, Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        if (cache is null) return await load(cancellationToken);
        // The task is cached, not its result: concurrent requests for the same listing share one query. That query
        // runs for all of them, so it ignores any one caller's token; a caller that gives up only stops waiting.
        var task = cache.GetOrCreate(key, entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = ListingCacheDuration;
            entry.Size = 1;
            return load(CancellationToken.None);
        })!;
        try
        {
            return await task.WaitAsync(cancellationToken);
        }
        catch when (task.IsFaulted || task.IsCanceled)
        {
            cache.Remove(key); // a failed query is not remembered
            throw;
        }
    }

    private const string CardColumns = """
        p.id, p.slug, p.name, p.unit, p.price_vnd AS PriceVnd, p.stock = 0 AS SoldOut, p.ocop_stars AS OcopStars,
        s.name AS SellerName, s.slug AS SellerSlug, pr.name AS ProvinceName,
        (SELECT pi.id FROM product_images pi WHERE pi.product_id = p.id ORDER BY pi.sort_order, pi.id LIMIT 1) AS ImageId,
        (SELECT COALESCE(top.slug, c.slug) FROM categories c LEFT JOIN categories top ON top.id = c.parent_id
         WHERE c.id = p.category_id) AS CategorySlug
        """;

    public Task<IReadOnlyList<ShopCategory>> CategoriesAsync(CancellationToken cancellationToken = default) =>
        CachedAsync(("categories", 0), LoadCategoriesAsync, cancellationToken);

    private async Task<IReadOnlyList<ShopCategory>> LoadCategoriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ShopCategory>(new CommandDefinition("""
            SELECT id, slug, name, name_en AS NameEn, parent_id AS ParentId FROM categories ORDER BY sort_order, name
            """, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Products with OCOP stars, the best first: the home page's "featured" shelf.</summary>
    public Task<IReadOnlyList<ShopCard>> FeaturedAsync(int limit, CancellationToken cancellationToken = default) =>
        CachedAsync(("featured", limit), ct => LoadFeaturedAsync(limit, ct), cancellationToken);

    private async Task<IReadOnlyList<ShopCard>> LoadFeaturedAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ShopCard>(new CommandDefinition($"""
            SELECT {CardColumns}
            FROM products p
            JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
            LEFT JOIN provinces pr ON pr.code = p.origin_province_code
            WHERE p.status = 'published' AND p.ocop_stars IS NOT NULL AND p.stock > 0
            ORDER BY p.ocop_stars DESC, p.id DESC
            LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken))).AsList();
    }

    public Task<IReadOnlyList<ShopCard>> NewestAsync(int limit, CancellationToken cancellationToken = default) =>
        CachedAsync(("newest", limit), ct => LoadNewestAsync(limit, ct), cancellationToken);

    private async Task<IReadOnlyList<ShopCard>> LoadNewestAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ShopCard>(new CommandDefinition($"""
            SELECT {CardColumns}
            FROM products p
            JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
            LEFT JOIN provinces pr ON pr.code = p.origin_province_code
            WHERE p.status = 'published'
            ORDER BY p.id DESC
            LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// A published product of an approved seller by its slug, with its photos; null otherwise. One statement on the
    /// product and its seller, the rest (category, province and commune names) from lists this process keeps: every
    /// product link lands here, and four joins cost more than the row itself (issue 15).
    /// </summary>
    public async Task<ShopProduct?> ProductAsync(string slug, CancellationToken cancellationToken = default)
    {
        ProductRow? row;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            row = await connection.QuerySingleOrDefaultAsync<ProductRow>(new CommandDefinition("""
                SELECT p.id, p.slug, p.name, p.description_md AS DescriptionMd, p.unit, p.price_vnd AS PriceVnd, p.stock,
                       p.ocop_stars AS OcopStars, array_to_string(p.certifications, chr(31)) AS CertificationList,
                       p.origin_province_code AS OriginProvinceCode, p.origin_commune_code AS OriginCommuneCode, p.category_id AS CategoryId,
                       s.id AS SellerId, s.name AS SellerName, s.slug AS SellerSlug,
                       ARRAY(SELECT pi.id FROM product_images pi WHERE pi.product_id = p.id ORDER BY pi.sort_order, pi.id) AS ImageIds
                FROM products p
                JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
                WHERE p.slug = @slug AND p.status = 'published'
                """, new { slug }, cancellationToken: cancellationToken));
        }
        if (row is null) return null;
        var category = (await CategoriesAsync(cancellationToken)).FirstOrDefault(c => c.Id == row.CategoryId)
            // A category created since the list was read (it is kept for ListingCacheDuration).
            ?? (await LoadCategoriesAsync(cancellationToken)).First(c => c.Id == row.CategoryId);
        return new ShopProduct(row.Id, row.Slug, row.Name, row.DescriptionMd, row.Unit, row.PriceVnd, row.Stock, row.OcopStars,
            row.CertificationList,
            await units.ProvinceNameAsync(row.OriginProvinceCode, cancellationToken),
            await units.CommuneNameAsync(row.OriginCommuneCode, cancellationToken),
            row.SellerId, row.SellerName, row.SellerSlug, category.Slug, category.Name, category.NameEn) { ImageIds = row.ImageIds };
    }

    // Properties, not a positional record: Dapper matches a constructor by the reader's field types, and the reader
    // calls bigint[] System.Array.
    private sealed class ProductRow
    {
        public long Id { get; init; }
        public string Slug { get; init; } = "";
        public string Name { get; init; } = "";
        public string DescriptionMd { get; init; } = "";
        public string Unit { get; init; } = "";
        public long PriceVnd { get; init; }
        public int Stock { get; init; }
        public short? OcopStars { get; init; }
        public string CertificationList { get; init; } = "";
        public string? OriginProvinceCode { get; init; }
        public string? OriginCommuneCode { get; init; }
        public int CategoryId { get; init; }
        public long SellerId { get; init; }
        public string SellerName { get; init; } = "";
        public string SellerSlug { get; init; } = "";
        public long[] ImageIds { get; init; } = [];
    }

    public async Task<IReadOnlyList<CartProduct>> CartProductsAsync(IReadOnlyCollection<long> ids,
        CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return [];
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CartProduct>(new CommandDefinition("""
            SELECT p.id, p.slug, p.name, p.unit, p.price_vnd AS PriceVnd, p.stock, s.id AS SellerId, s.name AS SellerName,
                   s.slug AS SellerSlug
            FROM products p JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
            WHERE p.id = ANY(@ids) AND p.status = 'published'
            ORDER BY s.name, p.name
            """, new { ids = ids.ToArray() }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<ShopSeller?> SellerAsync(string slug, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ShopSeller>(new CommandDefinition("""
            SELECT s.id, s.slug, s.name, s.kind, pr.name AS ProvinceName, c.name AS CommuneName, s.description
            FROM sellers s
            JOIN provinces pr ON pr.code = s.province_code
            LEFT JOIN communes c ON c.code = s.commune_code
            WHERE s.slug = @slug AND s.status = 'approved'
            """, new { slug }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Relevance-ranked search with filters and keyset pagination. The rank is an integer (so the
    /// cursor compares exactly): word similarity of the folded text to the folded name, plus boosts
    /// for an exact name, a name that starts with the text, a name that contains it, and a little for
    /// a description that contains it when the name does not. The text is only ever a parameter; its LIKE metacharacters
    /// (%, _ and \) are escaped, so they match themselves.
    /// </summary>
    public Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken cancellationToken = default)
    {
        // Control characters mean nothing in a search, and PostgreSQL refuses NUL in text outright (it was a 500).
        var text = new string((query.Text ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (text.Length > MaxQueryLength) text = text[..MaxQueryLength];
        var normalized = query with { Text = text };
        // Listings (no text) are few and always reused; text searches only when configured (Cho40:Shop:CacheTextSearches).
        return text.Length > 0 && !cacheTextSearches
            ? LoadSearchAsync(normalized, cancellationToken)
            : CachedAsync(normalized, ct => LoadSearchAsync(normalized, ct), cancellationToken);
    }

    /// <summary>
    /// How many candidates each index source gives a text search (see <see cref="LoadSearchAsync"/>): results are the best
    /// of at most a few times this many products, so a common word costs a page or two of index reads, not every match.
    /// </summary>
    public const int CandidatesPerSource = 48;

    private sealed record SearchTerms(string? Folded, string? Words, string? Phrase);

    /// <summary>
    /// Text search ranks a bounded candidate set read straight from indexes, never every product that matches: the exact
    /// name (b-tree), the shortest names containing every word of the text as a word or the start of one — typos
    /// corrected against the vocabulary of name words — (GIN over the name's words, walked in name-length order when a
    /// word is common), and for texts of 4 characters or more the newest descriptions containing the words as a phrase.
    /// The match rule and rank are then exactly those of the full scan, over those candidates. A text with no letter or
    /// digit (e.g. "%") keeps the full scan: nothing to look up.
    /// </summary>
    private async Task<SearchResult> LoadSearchAsync(SearchQuery query, CancellationToken cancellationToken)
    {
        var text = query.Text ?? "";
        var limit = Math.Clamp(query.Limit, 1, 100);
        var hasText = text.Length > 0;

        // With the in-memory index (the web process), a text with words is found and ranked there by the same rules —
        // once it is built; until then PostgreSQL answers.
        if (searchIndex is not null && hasText)
        {
            var folded = SearchFold.Fold(text);
            var words = SearchFold.Words(folded);
            if (words.Length > 0 && searchIndex.Ready) return await searchIndex.SearchAsync(query, folded, words, limit, cancellationToken);
            searchIndex.StartBuilding(); // nothing once it is built
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // First the words as a text search query, so that the planner of the search itself sees the actual words (a
        // common word is read in length order and stops early; a rare one through the GIN index).
        var terms = hasText
            ? await connection.QuerySingleAsync<SearchTerms>(new CommandDefinition("""
                SELECT f_search_fold(@text) AS folded, f_search_query(f_search_fold(@text))::text AS words,
                       phraseto_tsquery('pg_catalog.simple', f_search_fold(@text))::text AS phrase
                """, new { text }, cancellationToken: cancellationToken))
            : new SearchTerms(null, null, null);
        var useCandidates = hasText && !string.IsNullOrEmpty(terms.Words);

        var rank = hasText
            ? """
              (  (word_similarity(f_search_fold(@text), p.name_folded) * 1000)::int
               + (similarity(f_search_fold(@text), p.name_folded) * 400)::int
               + CASE WHEN p.name_folded = f_search_fold(@text) THEN 3000 ELSE 0 END
               + CASE WHEN p.name_folded LIKE f_like_escape(f_search_fold(@text)) || '%' THEN 1000 ELSE 0 END
               + CASE WHEN p.name_folded LIKE '%' || f_like_escape(f_search_fold(@text)) || '%' THEN 500 ELSE 0 END
               + CASE WHEN p.name_folded NOT LIKE '%' || f_like_escape(f_search_fold(@text)) || '%'
                       AND p.description_folded LIKE '%' || f_like_escape(f_search_fold(@text)) || '%' THEN 50 ELSE 0 END)
              """
            : "0";
        // Descriptions only for texts of 4 characters or more: a short word ("chè", "trà") is in most descriptions.
        var searchDescriptions = text.Length >= 4;
        var match = !hasText ? "" : searchDescriptions
            ? """
              AND (   p.name_folded LIKE '%' || f_like_escape(f_search_fold(@text)) || '%'
                   OR f_search_fold(@text) <% p.name_folded
                   OR p.description_folded LIKE '%' || f_like_escape(f_search_fold(@text)) || '%')
              """
            : """
              AND (   p.name_folded LIKE '%' || f_like_escape(f_search_fold(@text)) || '%'
                   OR f_search_fold(@text) <% p.name_folded)
              """;
        const string filters = """
              AND (@categoryId::int IS NULL OR p.category_id IN (SELECT id FROM categories WHERE id = @categoryId OR parent_id = @categoryId))
              AND (@provinceCode::text IS NULL OR p.origin_province_code = @provinceCode)
              AND (@minOcopStars::int IS NULL OR p.ocop_stars >= @minOcopStars)
              AND (@minPrice::bigint IS NULL OR p.price_vnd >= @minPrice)
              AND (@maxPrice::bigint IS NULL OR p.price_vnd <= @maxPrice)
              AND (@sellerId::bigint IS NULL OR p.seller_id = @sellerId)
            """;
        // The candidates, on the search data source: a plan made for these words (see SearchConnectionString).
        long[]? candidateIds = null;
        if (useCandidates)
        {
            await using var searchConnection = await (searchDb ?? db).OpenConnectionAsync(cancellationToken);
            candidateIds = (await searchConnection.QueryAsync<long>(new CommandDefinition($"""
                (SELECT p.id FROM products p WHERE p.status = 'published' AND p.name_folded = @folded {filters} LIMIT @candidates)
                UNION
                (SELECT p.id FROM products p WHERE p.status = 'published' AND p.name_words @@ @words::tsquery {filters}
                 ORDER BY length(p.name_folded), p.id DESC LIMIT @candidates)
                {(searchDescriptions ? $"""
                UNION
                (SELECT p.id FROM products p WHERE p.status = 'published' AND p.description_words @@ @phrase::tsquery {filters}
                 ORDER BY p.id DESC LIMIT @candidates)
                """ : "")}
                """, new
            {
                folded = terms.Folded,
                words = terms.Words,
                phrase = terms.Phrase,
                candidates = CandidatesPerSource,
                categoryId = query.CategoryId,
                provinceCode = string.IsNullOrEmpty(query.ProvinceCode) ? null : query.ProvinceCode,
                minOcopStars = query.MinOcopStars,
                minPrice = query.MinPriceVnd,
                maxPrice = query.MaxPriceVnd,
                sellerId = query.SellerId,
            }, cancellationToken: cancellationToken))).ToArray();
            if (candidateIds.Length == 0) return new SearchResult([], null);
        }

        // Then the same match rule and rank as a full scan, over the candidates only (already filtered).
        var sql = $"""
            SELECT * FROM (
                SELECT {CardColumns}, {rank} AS rank
                FROM products p
                JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
                LEFT JOIN provinces pr ON pr.code = p.origin_province_code
                WHERE p.status = 'published'
                  {(useCandidates ? "AND p.id = ANY(@candidateIds)" : filters)}
                  {match}
            ) hit
            WHERE @afterRank::int IS NULL OR (hit.rank, hit.id) < (@afterRank, @afterId)
            ORDER BY hit.rank DESC, hit.id DESC
            LIMIT @take
            """;

        var rows = (await connection.QueryAsync<SearchRow>(new CommandDefinition(sql, new
        {
            text,
            candidateIds,
            categoryId = query.CategoryId,
            provinceCode = string.IsNullOrEmpty(query.ProvinceCode) ? null : query.ProvinceCode,
            minOcopStars = query.MinOcopStars,
            minPrice = query.MinPriceVnd,
            maxPrice = query.MaxPriceVnd,
            sellerId = query.SellerId,
            afterRank = query.After?.Rank,
            afterId = query.After?.Id ?? 0,
            take = limit + 1,
        }, cancellationToken: cancellationToken))).AsList();

        var hits = rows.Take(limit).Select(r => new SearchHit(new ShopCard(r.Id, r.Slug, r.Name, r.Unit, r.PriceVnd, r.SoldOut,
            r.OcopStars, r.SellerName, r.SellerSlug, r.ProvinceName, r.ImageId, r.CategorySlug), r.Rank)).ToList();
        var next = rows.Count > limit ? new SearchCursor(hits[^1].Rank, hits[^1].Card.Id) : null;
        return new SearchResult(hits, next);
    }

    private sealed record SearchRow(long Id, string Slug, string Name, string Unit, long PriceVnd, bool SoldOut, short? OcopStars,
        string SellerName, string SellerSlug, string? ProvinceName, long? ImageId, string? CategorySlug, int Rank);
}
