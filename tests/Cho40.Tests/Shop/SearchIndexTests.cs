using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Dapper;

namespace Cho40.Tests.Shop;

/// <summary>
/// The in-memory catalogue index (CatalogSearchIndex) against PostgreSQL: its folding and pg_trgm measures equal the
/// database's, it returns the SQL search's results rank for rank, and it never answers from an older catalogue than the
/// one its result cards are read from.
/// </summary>
public sealed class SearchIndexTests(SearchFixture fixture) : IClassFixture<SearchFixture>
{
    private async Task<List<string>> NamesAsync()
    {
        await using var connection = await fixture.Db.OpenConnectionAsync();
        return (await connection.QueryAsync<string>("SELECT name FROM products ORDER BY id")).AsList();
    }

    /// <summary>Texts people type: whole names, their first words, without accents, in capitals, with a typo, cut short.</summary>
    private static IEnumerable<string> QueriesFrom(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            yield return name;
            yield return words[0];
            if (words.Length > 2) yield return string.Join(' ', words[1..3]);
            yield return Slug.ToAscii(string.Join(' ', words.Take(2))).ToLowerInvariant();
            yield return name.ToUpperInvariant();
            var ascii = Slug.ToAscii(name).ToLowerInvariant();
            if (ascii.Length > 6) yield return ascii[..3] + ascii[4..];   // one letter dropped
            if (words.Length > 1) yield return string.Join(' ', words[..^1]) + " " + words[^1][..Math.Max(1, words[^1].Length - 2)];
        }
        yield return "mien dong na ry";
        yield return "long tuyet";
        yield return "xyzzy";
        yield return "100";
    }

    [Fact]
    public async Task Folding_similarity_and_word_similarity_equal_PostgreSQLs()
    {
        var names = await NamesAsync();
        var texts = QueriesFrom(names).Distinct().ToList();
        await using var connection = await fixture.Db.OpenConnectionAsync();
        var folded = (await connection.QueryAsync<string>("SELECT f_search_fold(t) FROM unnest(@texts::text[]) WITH ORDINALITY u (t, n) ORDER BY n",
            new { texts = texts.ToArray() })).AsList();
        Assert.Equal(folded, texts.Select(SearchFold.Fold).ToList());

        var foldedNames = names.Select(SearchFold.Fold).ToArray();
        var pairs = folded.Take(120).SelectMany(q => foldedNames.Take(60).Select(n => (Q: q, N: n))).ToList();
        var expected = (await connection.QueryAsync<(float Similarity, float WordSimilarity)>("""
            SELECT similarity(q, n), word_similarity(q, n) FROM unnest(@qs::text[], @ns::text[]) WITH ORDINALITY u (q, n, i) ORDER BY i
            """, new { qs = pairs.Select(p => p.Q).ToArray(), ns = pairs.Select(p => p.N).ToArray() })).AsList();
        Assert.True(expected.Count(e => e.WordSimilarity is > 0 and < 1) > 100, "the pairs should cover partial matches");
        for (var i = 0; i < pairs.Count; i++)
        {
            Assert.True(expected[i].Similarity == Trigrams.Similarity(pairs[i].Q, pairs[i].N),
                $"similarity('{pairs[i].Q}', '{pairs[i].N}'): PostgreSQL {expected[i].Similarity}, ours {Trigrams.Similarity(pairs[i].Q, pairs[i].N)}");
            Assert.True(expected[i].WordSimilarity == Trigrams.WordSimilarity(pairs[i].Q, pairs[i].N),
                $"word_similarity('{pairs[i].Q}', '{pairs[i].N}'): PostgreSQL {expected[i].WordSimilarity}, ours {Trigrams.WordSimilarity(pairs[i].Q, pairs[i].N)}");
        }
    }

    [Fact]
    public async Task The_index_returns_the_SQL_searchs_results_and_cards_rank_for_rank()
    {
        var texts = QueriesFrom(await NamesAsync()).Distinct().ToList();
        var compared = 0;
        foreach (var text in texts)
        {
            var sql = await fixture.Store.SearchAsync(new SearchQuery(text, Limit: 100));
            var indexed = await fixture.IndexedStore.SearchAsync(new SearchQuery(text, Limit: 100));
            // Whole hits: the card the index shows (name, price, stock, seller, photo, category …) and the rank.
            Assert.True(sql.Hits.SequenceEqual(indexed.Hits),
                $"'{text}': SQL [{string.Join(", ", sql.Hits.Select(h => $"{h.Card.Name}={h.Rank}"))}] " +
                $"index [{string.Join(", ", indexed.Hits.Select(h => $"{h.Card.Name}={h.Rank}"))}]");
            compared += sql.Hits.Count;
        }
        Assert.True(compared > 500, $"only {compared} hits compared");
    }

    /// <summary>A published product (5 bottles) of the Tân Cương cooperative, straight into the table; its id.</summary>
    internal static Task<long> PublishAsync(Npgsql.NpgsqlConnection connection, string name, string description, long priceVnd) =>
        connection.QuerySingleAsync<long>("""
            INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, status)
            SELECT s.id, c.id, @slug, @name, @description, 'chai', @priceVnd, 5, 'published'
            FROM sellers s, categories c WHERE s.slug = 'htx-che-tan-cuong' AND c.slug = 'che-xanh'
            RETURNING id
            """, new { name, description, priceVnd, slug = "thu-" + Guid.NewGuid().ToString("N")[..12] });

    /// <summary>A search, and what its result must show after the change just made (<see cref="CatalogChangesAsync"/>).</summary>
    internal delegate Task Expect(SearchQuery query, Func<SearchResult, bool> shows, string what);

    /// <summary>Changes read by each search hold for the very next search.</summary>
    internal static Expect AtOnce(Db.ShopQueries store) => async (query, shows, what) =>
        Assert.True(shows(await store.SearchAsync(query)), $"'{query.Text}': {what}");

    [Fact]
    public Task A_change_to_the_catalogue_is_searchable_at_once_and_a_withdrawn_product_is_gone_at_once() =>
        CatalogChangesAsync(fixture.Db, AtOnce(fixture.IndexedStore));

    /// <summary>
    /// Every kind of change a search or its card can show, made straight in the tables as another process would, each
    /// followed by the search that must show it.
    /// </summary>
    internal static async Task CatalogChangesAsync(Npgsql.NpgsqlDataSource db, Expect expect)
    {
        var unique = "Rượu ngô men lá " + Guid.NewGuid().ToString("N")[..6];
        await expect(new SearchQuery(unique), r => r.Hits.Count == 0, "not found before it exists");

        await using var connection = await db.OpenConnectionAsync();
        var id = await PublishAsync(connection, unique, "Ủ men lá rừng.", 150000);
        await expect(new SearchQuery(unique), r => r.Hits.Count > 0 && r.Hits[0].Card.Id == id, "the new product first");
        await expect(new SearchQuery(Slug.ToAscii(unique).ToLowerInvariant()), r => r.Hits.Any(h => h.Card.Id == id), "found without accents");

        // A new price moves it in and out of a price filter.
        await connection.ExecuteAsync("UPDATE products SET price_vnd = 450000 WHERE id = @id", new { id });
        await expect(new SearchQuery(unique, MaxPriceVnd: 200_000), r => r.Hits.Count == 0, "out of the price filter");
        await expect(new SearchQuery(unique, MinPriceVnd: 400_000), r => r.Hits.Count == 1, "in the price filter");

        // Renamed: found by its new name only.
        var renamed = unique.Replace("Rượu ngô", "Rượu thóc", StringComparison.Ordinal);
        await connection.ExecuteAsync("UPDATE products SET name = @renamed WHERE id = @id", new { id, renamed });
        await expect(new SearchQuery(renamed), r => r.Hits.Count > 0 && r.Hits[0].Card.Id == id, "found by its new name");
        await expect(new SearchQuery("ruou ngo men"), r => r.Hits.All(h => h.Card.Id != id), "not by its old name");

        // Withdrawn, then its seller suspended: gone both times.
        await connection.ExecuteAsync("UPDATE products SET status = 'unpublished' WHERE id = @id", new { id });
        await expect(new SearchQuery(renamed), r => r.Hits.All(h => h.Card.Id != id), "withdrawn");
        await connection.ExecuteAsync("UPDATE products SET status = 'published' WHERE id = @id", new { id });
        await expect(new SearchQuery(renamed), r => r.Hits.Any(h => h.Card.Id == id), "published again");

        var sellerId = await connection.QuerySingleAsync<long>("""
            INSERT INTO sellers (name, slug, kind, province_code, status)
            SELECT 'HTX thử tạm ngừng', @slug, kind, province_code, 'approved' FROM sellers WHERE slug = 'htx-che-tan-cuong'
            RETURNING id
            """, new { slug = "htx-tam-ngung-" + Guid.NewGuid().ToString("N")[..6] });
        await connection.ExecuteAsync("UPDATE products SET seller_id = @sellerId WHERE id = @id", new { id, sellerId });
        await expect(new SearchQuery(renamed), r => r.Hits.Any(h => h.Card.Id == id && h.Card.SellerName == "HTX thử tạm ngừng"), "its new seller");

        // What the card shows follows too: the seller's new name, a first photo, the stock after an order.
        await connection.ExecuteAsync("UPDATE sellers SET name = 'HTX thử đổi tên' WHERE id = @sellerId", new { sellerId });
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));
        var imageId = await connection.QuerySingleAsync<long>("""
            INSERT INTO media_blobs (sha256, content_type, width, height, byte_size, bytes) VALUES (@sha, 'image/webp', 10, 10, 1, '\x00');
            INSERT INTO product_images (product_id, storage_key, content_type, width, height) VALUES (@id, @sha, 'image/webp', 10, 10)
            RETURNING id
            """, new { id, sha });
        await connection.ExecuteAsync("UPDATE products SET stock = 0 WHERE id = @id", new { id });
        await expect(new SearchQuery(renamed), r => r.Hits.Any(h => h.Card.Id == id && (h.Card.SellerName, h.Card.ImageId, h.Card.SoldOut) ==
            ("HTX thử đổi tên", imageId, true)), "the seller's new name, the photo, sold out");
        await connection.ExecuteAsync("UPDATE products SET stock = 3 WHERE id = @id", new { id });
        await expect(new SearchQuery(renamed), r => r.Hits.Any(h => h.Card.Id == id && !h.Card.SoldOut), "in stock again");
        await connection.ExecuteAsync("UPDATE sellers SET status = 'suspended' WHERE id = @sellerId", new { sellerId });
        await expect(new SearchQuery(renamed), r => r.Hits.All(h => h.Card.Id != id), "its seller suspended");

        // Deleted (by hand: nothing in the product deletes one).
        await connection.ExecuteAsync("UPDATE sellers SET status = 'approved' WHERE id = @sellerId", new { sellerId });
        await expect(new SearchQuery(renamed), r => r.Hits.Any(h => h.Card.Id == id), "its seller approved again");
        await connection.ExecuteAsync("DELETE FROM products WHERE id = @id", new { id });
        await expect(new SearchQuery(renamed), r => r.Hits.All(h => h.Card.Id != id), "deleted");
    }

    [Fact]
    public async Task A_deleted_product_is_gone_from_search_at_once()
    {
        var store = fixture.IndexedStore;
        var unique = "Mật ong bạc hà " + Guid.NewGuid().ToString("N")[..6];
        await using var connection = await fixture.Db.OpenConnectionAsync();
        var id = await PublishAsync(connection, unique, "Mật ong hoa bạc hà Đồng Văn.", 250000);
        Assert.Equal(id, (await store.SearchAsync(new SearchQuery(unique))).Hits[0].Card.Id);

        await connection.ExecuteAsync("DELETE FROM products WHERE id = @id", new { id });
        Assert.DoesNotContain((await store.SearchAsync(new SearchQuery(unique))).Hits, h => h.Card.Id == id);
    }

    [Fact]
    public async Task A_stock_change_never_moves_the_catalogue_version_and_sold_out_products_are_listed()
    {
        await using var connection = await fixture.Db.OpenConnectionAsync();
        var id = await connection.QuerySingleAsync<long>("SELECT min(id) FROM products WHERE stock > 2");
        async Task<(long Version, bool Listed)> AfterAsync(string sql)
        {
            await connection.ExecuteAsync(sql, new { id });
            return await connection.QuerySingleAsync<(long, bool)>(
                "SELECT version, EXISTS (SELECT 1 FROM catalog_sold_out WHERE product_id = @id) FROM catalog_search_version", new { id });
        }

        // No order, not even the one that sells the last unit, waits on the version row (checkouts lock products first,
        // catalogue edits the version first: sharing both would deadlock).
        var (before, _) = await AfterAsync("SELECT 1");
        Assert.Equal((before, false), await AfterAsync("UPDATE products SET stock = stock - 1 WHERE id = @id"));
        Assert.Equal((before, true), await AfterAsync("UPDATE products SET stock = 0 WHERE id = @id"));
        Assert.Equal((before, true), await AfterAsync("UPDATE products SET stock = 0, updated_at = now() WHERE id = @id"));
        Assert.Equal((before, false), await AfterAsync("UPDATE products SET stock = 4 WHERE id = @id"));
        var (repriced, _) = await AfterAsync("UPDATE products SET price_vnd = price_vnd + 1 WHERE id = @id");
        Assert.True(repriced > before);
    }
}
