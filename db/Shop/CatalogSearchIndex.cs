using System.Data;
using System.Numerics;
using System.Text;
using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// Text search over the listed catalogue, in the web process (issue 15: search collapsed under varied queries when
/// PostgreSQL planned and ranked every search). Each process keeps the searchable fields of every listed product — the
/// folded name and description, category, origin, OCOP stars, price and seller, and what its card shows — with word
/// postings in name-length order, and finds and ranks a search's candidates with the same rules and the same rank as the
/// SQL search (pg_trgm similarity and word similarity, computed by <see cref="Trigrams"/>). What every change moves — the
/// catalogue version (<c>catalog_search_version</c>) and which products are sold out (<c>catalog_sold_out</c>, the few with
/// no stock, kept by a trigger) — is pushed to the index by NOTIFY while a listener (<see cref="ListeningAsync"/>) is connected,
/// so a search reads nothing from PostgreSQL; while none is, each search reads both in one small statement. When the
/// version moved, the index first reads the products stamped since (a few rows) and searches again, so a search never
/// answers from a catalogue older than the last one notified (or read). About 300 bytes per product (30 MB for 100,000).
/// </summary>
public sealed class CatalogSearchIndex(NpgsqlDataSource db)
{
    /// <summary>How many candidates each source gives (as <see cref="ShopQueries.CandidatesPerSource"/>).</summary>
    public const int CandidatesPerSource = ShopQueries.CandidatesPerSource;

    /// <summary>Changed products kept beside the built index before it is built again.</summary>
    public const int MaxOverlay = 2_000;

    /// <summary>Description matches checked at most per search: descriptions are searched "a little".</summary>
    private const int MaxDescriptionChecks = 2_000;

    /// <summary>A listed product: what search matches and ranks (folded) and what its result card shows.</summary>
    internal sealed record Entry(long Id, string Name, byte[] Description, string[] NameWords, int CategoryId, string? ProvinceCode,
        short? OcopStars, long PriceVnd, long SellerId, Card Card);

    internal sealed record Card(string Slug, string Name, string Unit, string SellerName, string SellerSlug, string? ProvinceName, long? ImageId);

    private sealed record Row(long Id, string NameFolded, string DescriptionFolded, int CategoryId, string? ProvinceCode,
        short? OcopStars, long PriceVnd, long SellerId, bool Listed, string Slug, string Name, string Unit, string SellerName,
        string SellerSlug, string? ProvinceName, long? ImageId);

    private sealed record Category(int Id, int? ParentId, string Slug);

    /// <summary>One consistent state: a built part (postings) and the products changed since it was built.</summary>
    private sealed class Snapshot
    {
        public required long Version { get; init; }
        public required Entry[] Built { get; init; }                   // in name-length order, then newest first
        public required Dictionary<string, Postings> NameWords { get; init; }
        public required string[] Vocabulary { get; init; }              // every name word, sorted (ordinal): prefixes and typos
        public required Dictionary<string, Postings> DescriptionWords { get; init; }
        public required Dictionary<string, int[]> ExactNames { get; init; }
        public required Dictionary<long, Entry?> Changed { get; init; }  // null: no longer listed
        public required Dictionary<int, Category> Categories { get; init; }
    }

    private Snapshot? current;
    private readonly SemaphoreSlim refreshing = new(1, 1);

    /// <summary>The NOTIFY channel the catalogue's triggers publish on (migration 0955): <c>v{version}</c>, <c>s{id}</c>, <c>a{id}</c>.</summary>
    public const string Channel = "catalog_search";

    /// <summary>What the listener has been told since it started listening; null while nobody listens.</summary>
    private sealed class Pushed(long version, IEnumerable<long> soldOut)
    {
        public long Version = version;
        public readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> SoldOut = new(soldOut.Select(id => KeyValuePair.Create(id, (byte)0)));
    }

    private volatile Pushed? pushed;
    private long databaseReads;

    /// <summary>Whether changes are pushed to this index now (else every search reads the version and sold-out products).</summary>
    public bool Listens => pushed is not null;

    /// <summary>Searches that read the catalogue version from PostgreSQL (none while <see cref="Listens"/>): diagnostics, the benchmark.</summary>
    public long DatabaseReads => Interlocked.Read(ref databaseReads);

    /// <summary>
    /// The listener's LISTEN has taken effect on <paramref name="connection"/>: reads the version and every sold-out product
    /// on it, after which each change arrives through <see cref="Notified"/> (the listener holds those that arrive during
    /// this read and hands them over after it). Called again to resynchronise.
    /// </summary>
    public async Task ListeningAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var read = await connection.QuerySingleAsync<VersionAndSoldOut>(new CommandDefinition("""
            SELECT v.version, ARRAY(SELECT product_id FROM catalog_sold_out) AS SoldOut FROM catalog_search_version v
            """, cancellationToken: cancellationToken));
        pushed = new Pushed(read.Version, read.SoldOut);
    }

    /// <summary>The listener lost its connection: searches read from PostgreSQL again until it is back.</summary>
    public void NotListening() => pushed = null;

    /// <summary>One notification on <see cref="Channel"/>, in commit order.</summary>
    public void Notified(string payload)
    {
        var state = pushed;
        if (state is null || payload.Length < 2
            || !long.TryParse(payload.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)) return;
        switch (payload[0])
        {
            case 'v':
                long seen;
                do seen = Interlocked.Read(ref state.Version);
                while (n > seen && Interlocked.CompareExchange(ref state.Version, n, seen) != seen);
                break;
            case 's': state.SoldOut[n] = 0; break;
            case 'a': state.SoldOut.TryRemove(n, out _); break;
        }
    }

    /// <summary>The version the index answers from (0 before it is built).</summary>
    public long Version => current?.Version ?? 0;

    /// <summary>Built and answering; until then searches go to PostgreSQL (building 100,000 products takes seconds).</summary>
    public bool Ready => current is not null;

    private int warming;

    /// <summary>Builds the index in the background, once (again after a failure); searches do not wait for it.</summary>
    public void StartBuilding()
    {
        if (current is not null || Interlocked.CompareExchange(ref warming, 1, 0) != 0) return;
        _ = Task.Run(async () =>
        {
            try { await BuildAsync(CancellationToken.None); }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException) { /* the next search tries again */ }
            finally { Volatile.Write(ref warming, 0); }
        });
    }

    /// <summary>Builds the index now (start-up warm-up and tests).</summary>
    public Task BuildAsync(CancellationToken cancellationToken = default) => RefreshAsync(null, cancellationToken);

    /// <summary>
    /// One page of a text search with words (<paramref name="words"/>, those of <paramref name="folded"/>: at least one), filters and
    /// keyset cursor applied: at most <paramref name="limit"/> hits, with the cursor of the next page when there is one.
    /// </summary>
    internal async Task<SearchResult> SearchAsync(SearchQuery query, string folded, string[] words, int limit,
        CancellationToken cancellationToken)
    {
        var snapshot = current ?? throw new InvalidOperationException("The catalogue search index is not built yet (see Ready).");
        for (var attempt = 0; ; attempt++)
        {
            var ranked = Rank(snapshot, query, folded, words, limit + 1);
            var page = ranked.Take(limit).ToList();
            // Only what every order may change is needed besides the index: which results are sold out (a card's "Hết hàng")
            // and the catalogue version — pushed while the listener is connected, else read.
            var state = pushed;
            long version;
            Func<long, bool> soldOut;
            if (state is not null)
            {
                version = Interlocked.Read(ref state.Version);
                soldOut = state.SoldOut.ContainsKey;
            }
            else
            {
                var read = await ReadVersionAndSoldOutAsync(page.Select(r => r.Entry.Id).ToArray(), cancellationToken);
                version = read.Version;
                soldOut = read.SoldOut.Contains;
            }
            if (version > snapshot.Version && attempt == 0)
            {
                // The catalogue changed after this index was read: catch up, then search again.
                snapshot = await RefreshAsync(snapshot, cancellationToken, atLeast: version);
                continue;
            }
            var hits = page.Select(r => new SearchHit(ToCard(snapshot, r.Entry, soldOut(r.Entry.Id)), r.Rank)).ToList();
            var next = ranked.Count > limit && page.Count > 0 ? new SearchCursor(page[^1].Rank, page[^1].Entry.Id) : null;
            return new SearchResult(hits, next);
        }
    }

    /// <summary>The catalogue version and which of <paramref name="ids"/> are sold out (a probe per id into a small index).</summary>
    private async Task<VersionAndSoldOut> ReadVersionAndSoldOutAsync(long[] ids, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref databaseReads);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<VersionAndSoldOut>(new CommandDefinition("""
            SELECT v.version, ARRAY(SELECT product_id FROM catalog_sold_out WHERE product_id = ANY(@ids)) AS SoldOut
            FROM catalog_search_version v
            """, new { ids }, cancellationToken: cancellationToken));
    }

    // Properties, not a positional record: Dapper matches a constructor by the reader's field types (bigint[] is System.Array).
    private sealed class VersionAndSoldOut
    {
        public long Version { get; init; }
        public long[] SoldOut { get; init; } = [];
    }

    private static ShopCard ToCard(Snapshot s, Entry e, bool soldOut)
    {
        var category = s.Categories.GetValueOrDefault(e.CategoryId);
        var top = category?.ParentId is { } parent ? s.Categories.GetValueOrDefault(parent) : null;
        var c = e.Card;
        return new ShopCard(e.Id, c.Slug, c.Name, c.Unit, e.PriceVnd, soldOut, e.OcopStars, c.SellerName, c.SellerSlug, c.ProvinceName,
            c.ImageId, top?.Slug ?? category?.Slug);
    }

    private readonly record struct Ranked(Entry Entry, int Rank);

    private static List<Ranked> Rank(Snapshot s, SearchQuery query, string folded, string[] words, int take)
    {
        var searchDescriptions = (query.Text ?? "").Length >= 4;
        var candidates = new Dictionary<long, Entry>();
        foreach (var e in ExactName(s, query, folded)) candidates.TryAdd(e.Id, e);
        foreach (var e in AllWords(s, query, words)) candidates.TryAdd(e.Id, e);
        if (searchDescriptions)
            foreach (var e in DescriptionPhrase(s, query, words)) candidates.TryAdd(e.Id, e);

        var foldedBytes = Encoding.UTF8.GetBytes(folded);
        var trigrams = new Trigrams.Prepared(folded);
        var ranked = new List<Ranked>(candidates.Count);
        foreach (var e in candidates.Values)
        {
            // The SQL search's match rule and rank, term for term (ShopQueries.LoadSearchAsync).
            var contains = e.Name.Contains(folded, StringComparison.Ordinal);
            var (similarity, wordSimilarity) = trigrams.Measure(e.Name);
            var inDescription = e.Description.AsSpan().IndexOf(foldedBytes) >= 0;
            if (!(contains || wordSimilarity >= Trigrams.WordSimilarityThreshold || (searchDescriptions && inDescription))) continue;
            var rank = (int)Math.Round(wordSimilarity * 1000d)
                       + (int)Math.Round(similarity * 400d)
                       + (e.Name == folded ? 3000 : 0)
                       + (e.Name.StartsWith(folded, StringComparison.Ordinal) ? 1000 : 0)
                       + (contains ? 500 : 0)
                       + (!contains && inDescription ? 50 : 0);
            if (query.After is { } after && (rank > after.Rank || (rank == after.Rank && e.Id >= after.Id))) continue;
            ranked.Add(new Ranked(e, rank));
        }
        ranked.Sort((a, b) => a.Rank != b.Rank ? b.Rank.CompareTo(a.Rank) : b.Entry.Id.CompareTo(a.Entry.Id));
        if (ranked.Count > take) ranked.RemoveRange(take, ranked.Count - take);
        return ranked;
    }

    private static bool Passes(Snapshot s, SearchQuery q, Entry e) =>
        (q.CategoryId is not { } category || e.CategoryId == category
            || (s.Categories.TryGetValue(e.CategoryId, out var ofProduct) && ofProduct.ParentId == category))
        && (string.IsNullOrEmpty(q.ProvinceCode) || e.ProvinceCode == q.ProvinceCode)
        && (q.MinOcopStars is not { } stars || (e.OcopStars is { } own && own >= stars))
        && (q.MinPriceVnd is not { } min || e.PriceVnd >= min)
        && (q.MaxPriceVnd is not { } max || e.PriceVnd <= max)
        && (q.SellerId is not { } seller || e.SellerId == seller);

    /// <summary>Source 1: the product named exactly as the text.</summary>
    private static IEnumerable<Entry> ExactName(Snapshot s, SearchQuery q, string folded)
    {
        var found = new List<Entry>();
        if (s.ExactNames.TryGetValue(folded, out var positions))
            found.AddRange(positions.Select(p => s.Built[p]).Where(e => !s.Changed.ContainsKey(e.Id) && Passes(s, q, e)));
        found.AddRange(s.Changed.Values.OfType<Entry>().Where(e => e.Name == folded && Passes(s, q, e)));
        return found.Take(CandidatesPerSource);
    }

    /// <summary>
    /// Source 2: the shortest names containing every word of the text as a word or the start of one; a word no name word
    /// starts with stands for the vocabulary words one edit away (two from six letters), as f_search_query does.
    /// </summary>
    private static IEnumerable<Entry> AllWords(Snapshot s, SearchQuery q, string[] words)
    {
        // Per query word: the word as a prefix, and its corrections (exact words) when no vocabulary word starts with it.
        var alternatives = words.Select(w => (Prefix: w, Exact: Corrections(s.Vocabulary, w))).ToList();
        var set = InEveryWord(s, alternatives.Count, (i, word) =>
        {
            foreach (var v in PrefixRange(s.Vocabulary, alternatives[i].Prefix))
                if (s.NameWords.TryGetValue(v, out var postings)) Mark(word, postings);   // words only changed products have are not
            foreach (var v in alternatives[i].Exact)
                if (s.NameWords.TryGetValue(v, out var postings)) Mark(word, postings);
        });

        var found = Listed(s, q, set).Take(CandidatesPerSource).ToList();
        // Products changed since the build: checked one by one (there are few).
        found.AddRange(s.Changed.Values.OfType<Entry>().Where(e => Passes(s, q, e) && alternatives.All(a =>
            e.NameWords.Any(n => n.StartsWith(a.Prefix, StringComparison.Ordinal) || a.Exact.Contains(n)))));
        return found.OrderBy(e => e.Name.Length).ThenByDescending(e => e.Id).Take(CandidatesPerSource);
    }

    /// <summary>Source 3 (texts of 4 characters or more): products whose description has the text's words as a phrase, checked a bounded number of times.</summary>
    private static IEnumerable<Entry> DescriptionPhrase(Snapshot s, SearchQuery q, string[] words)
    {
        if (words.Length == 0) return [];
        var phrase = Encoding.UTF8.GetBytes(string.Join(' ', words));
        var postings = words.Distinct().Select(w => s.DescriptionWords.GetValueOrDefault(w)).ToList();
        // A word in no description: no description has them all.
        var found = postings.Contains(null) ? [] : Listed(s, q, InEveryWord(s, postings.Count, (i, word) => Mark(word, postings[i]!)))
            .Take(MaxDescriptionChecks).Where(e => HasPhrase(e, phrase)).Take(CandidatesPerSource).ToList();
        found.AddRange(s.Changed.Values.OfType<Entry>().Where(e => Passes(s, q, e) && HasPhrase(e, phrase)));
        return found.Take(CandidatesPerSource);
    }

    /// <summary>
    /// The description has the words one after the other as whole words, separated by one space (a phrase that passes the
    /// match rule's "description contains the text" too).
    /// </summary>
    private static bool HasPhrase(Entry e, byte[] phrase)
    {
        var text = e.Description.AsSpan();
        var from = 0;
        while (from < text.Length)
        {
            var at = text[from..].IndexOf(phrase);
            if (at < 0) return false;
            at += from;
            var end = at + phrase.Length;
            if ((at == 0 || !IsWordByte(text[at - 1])) && (end == text.Length || !IsWordByte(text[end]))) return true;
            from = at + 1;
        }
        return false;
    }

    private static bool IsWordByte(byte b) => b >= 128 || char.IsAsciiLetterOrDigit((char)b);

    /// <summary>
    /// The positions (in the built order) of the products that have a word: a list for a rare word, a bit set for a word
    /// in more than one product in 32 — the bit set is then the smaller of the two and is merged 64 products at a time.
    /// </summary>
    private sealed record Postings(int[]? Positions, ulong[]? Bits)
    {
        public static Postings Of(List<int> positions, int products) =>
            positions.Count * 32 > products ? new Postings(null, ToBits(positions, products)) : new Postings(positions.ToArray(), null);

        private static ulong[] ToBits(List<int> positions, int products)
        {
            var bits = new ulong[(products + 63) / 64];
            foreach (var p in positions) bits[p >> 6] |= 1UL << (p & 63);
            return bits;
        }
    }

    // A search's two bit sets over the built products (12 KB each for 100,000), kept per thread and reused: the sources
    // that use them run and materialise their candidates within Rank, which never awaits. New sets were most of a
    // search's garbage.
    [ThreadStatic] private static ulong[]? setBits, wordBits;

    /// <summary>
    /// The built products in every one of <paramref name="words"/> sets, where <paramref name="mark"/> marks word i's
    /// products in a cleared set. The result is this thread's reused set: read it before the next call.
    /// </summary>
    private static ulong[] InEveryWord(Snapshot s, int words, Action<int, ulong[]> mark)
    {
        var length = (s.Built.Length + 63) / 64;
        if (setBits is null || setBits.Length != length)
        {
            setBits = new ulong[length];
            wordBits = new ulong[length];
        }
        for (var i = 0; i < words; i++)
        {
            var word = i == 0 ? setBits : wordBits!;
            Array.Clear(word);
            mark(i, word);
            if (i == 0) continue;
            for (var b = 0; b < setBits.Length; b++) setBits[b] &= word[b];
        }
        return setBits;
    }

    /// <summary>The built products in a set, in built order (shortest names first), unchanged since the build and within the filters.</summary>
    private static IEnumerable<Entry> Listed(Snapshot s, SearchQuery q, ulong[] bits)
    {
        for (var block = 0; block < bits.Length; block++)
        {
            for (var b = bits[block]; b != 0; b &= b - 1)
            {
                var e = s.Built[block * 64 + BitOperations.TrailingZeroCount(b)];
                if (!s.Changed.ContainsKey(e.Id) && Passes(s, q, e)) yield return e;
            }
        }
    }

    private static void Mark(ulong[] bits, Postings postings)
    {
        if (postings.Bits is { } dense)
        {
            for (var i = 0; i < bits.Length; i++) bits[i] |= dense[i];
            return;
        }
        foreach (var p in postings.Positions!) bits[p >> 6] |= 1UL << (p & 63);
    }

    /// <summary>The vocabulary of corrections is words of 2 to 40 characters (search_words).</summary>
    private static bool InVocabulary(string word) => word.Length is >= 2 and <= 40;

    private static bool HasPrefix(string[] vocabulary, string prefix) => PrefixRange(vocabulary, prefix).Any(InVocabulary);

    private static IEnumerable<string> PrefixRange(string[] vocabulary, string prefix)
    {
        var i = Array.BinarySearch(vocabulary, prefix, StringComparer.Ordinal);
        if (i < 0) i = ~i;
        for (; i < vocabulary.Length && vocabulary[i].StartsWith(prefix, StringComparison.Ordinal); i++) yield return vocabulary[i];
    }

    /// <summary>Vocabulary words for a word no name word starts with (f_search_query's rule).</summary>
    private static HashSet<string> Corrections(string[] vocabulary, string w)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (HasPrefix(vocabulary, w)) return result;
        var maxEdits = w.Length >= 6 ? 2 : 1;
        foreach (var v in vocabulary)
        {
            if (!InVocabulary(v) || Math.Abs(v.Length - w.Length) > maxEdits) continue;
            // Both conditions must hold; the edit distance, cheaper, rules out most of the vocabulary first.
            if (Levenshtein(v, w) > maxEdits) continue;
            var near = Trigrams.Similarity(v, w) >= Trigrams.SimilarityThreshold
                       || (w.Length <= 3 && v.Length <= w.Length + 1 && v.Length > 0 && v[0] == w[0]);
            if (near) result.Add(v);
        }
        return result;
    }

    private static int Levenshtein(string a, string b)
    {
        Span<int> previous = b.Length < 128 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        Span<int> row = b.Length < 128 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
                row[j] = Math.Min(Math.Min(row[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            var swap = previous;
            previous = row;
            row = swap;
        }
        return previous[b.Length];
    }

    // ---- Reading the catalogue ------------------------------------------------------------------------------------

    private const string RowColumns = """
        p.id, p.name_folded AS NameFolded, p.description_folded AS DescriptionFolded, p.category_id AS CategoryId,
        p.origin_province_code AS ProvinceCode, p.ocop_stars AS OcopStars, p.price_vnd AS PriceVnd, p.seller_id AS SellerId,
        p.status = 'published' AND s.status = 'approved' AS Listed,
        p.slug, p.name, p.unit, s.name AS SellerName, s.slug AS SellerSlug,
        (SELECT pr.name FROM provinces pr WHERE pr.code = p.origin_province_code) AS ProvinceName,
        (SELECT pi.id FROM product_images pi WHERE pi.product_id = p.id ORDER BY pi.sort_order, pi.id LIMIT 1) AS ImageId
        """;

    /// <summary>
    /// Brings the index up to the catalogue's current version: the products stamped since <paramref name="seen"/>, or
    /// everything when there is no index yet or too many have changed. One refresh at a time; a search that waited for
    /// another's refresh uses its result when it has the version the search read (<paramref name="atLeast"/>).
    /// </summary>
    private async Task<Snapshot> RefreshAsync(Snapshot? seen, CancellationToken cancellationToken, long atLeast = 0)
    {
        await refreshing.WaitAsync(cancellationToken);
        try
        {
            if (current is { } now && now != seen && now.Version >= atLeast) return now;
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            // One snapshot for the version and the rows: nothing committed in between is missed or read twice.
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            var version = await connection.QuerySingleAsync<long>(new CommandDefinition(
                "SELECT version FROM catalog_search_version", transaction: tx, cancellationToken: cancellationToken));
            var categories = (await connection.QueryAsync<Category>(new CommandDefinition(
                "SELECT id, parent_id AS ParentId, slug FROM categories", transaction: tx, cancellationToken: cancellationToken)))
                .ToDictionary(c => c.Id);
            Snapshot next;
            if (seen is null || seen.Changed.Count >= MaxOverlay)
            {
                var rows = await connection.QueryAsync<Row>(new CommandDefinition($"""
                    SELECT {RowColumns} FROM products p JOIN sellers s ON s.id = p.seller_id
                    WHERE p.status = 'published' AND s.status = 'approved'
                    """, transaction: tx, cancellationToken: cancellationToken));
                next = Build(version, rows.Select(ToEntry), categories);
            }
            else
            {
                var rows = await connection.QueryAsync<Row>(new CommandDefinition($"""
                    SELECT {RowColumns} FROM products p JOIN sellers s ON s.id = p.seller_id
                    WHERE p.search_version > @since
                    """, new { since = seen.Version }, tx, cancellationToken: cancellationToken));
                var changed = new Dictionary<long, Entry?>(seen.Changed);
                foreach (var row in rows) changed[row.Id] = row.Listed ? ToEntry(row) : null;
                // Deleted products (catalog_search_removed): a search reads no product row that would miss them.
                foreach (var id in await connection.QueryAsync<long>(new CommandDefinition(
                    "SELECT product_id FROM catalog_search_removed WHERE version > @since",
                    new { since = seen.Version }, tx, cancellationToken: cancellationToken)))
                    changed[id] = null;
                next = new Snapshot
                {
                    Version = version, Built = seen.Built, NameWords = seen.NameWords, DescriptionWords = seen.DescriptionWords,
                    ExactNames = seen.ExactNames, Changed = changed, Categories = categories,
                    Vocabulary = seen.Vocabulary.Union(changed.Values.OfType<Entry>().SelectMany(e => e.NameWords), StringComparer.Ordinal)
                        .Order(StringComparer.Ordinal).ToArray(),
                };
            }
            await tx.CommitAsync(cancellationToken);
            current = next;
            return next;
        }
        finally
        {
            refreshing.Release();
        }
    }

    private static Entry ToEntry(Row r) => new(r.Id, r.NameFolded, Encoding.UTF8.GetBytes(r.DescriptionFolded),
        SearchFold.Words(r.NameFolded), r.CategoryId, r.ProvinceCode, r.OcopStars, r.PriceVnd, r.SellerId,
        new Card(r.Slug, r.Name, r.Unit, r.SellerName, r.SellerSlug, r.ProvinceName, r.ImageId));

    private static Snapshot Build(long version, IEnumerable<Entry> entries, Dictionary<int, Category> categories)
    {
        var built = entries.OrderBy(e => e.Name.Length).ThenByDescending(e => e.Id).ToArray();
        var nameWords = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var descriptionWords = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var exact = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var p = 0; p < built.Length; p++)
        {
            var e = built[p];
            foreach (var w in e.NameWords.Distinct()) Add(nameWords, w, p);
            foreach (var w in SearchFold.Words(Encoding.UTF8.GetString(e.Description)).Distinct()) Add(descriptionWords, w, p);
            Add(exact, e.Name, p);
        }
        return new Snapshot
        {
            Version = version, Built = built, Changed = [], Categories = categories,
            NameWords = nameWords.ToDictionary(kv => kv.Key, kv => Postings.Of(kv.Value, built.Length), StringComparer.Ordinal),
            DescriptionWords = descriptionWords.ToDictionary(kv => kv.Key, kv => Postings.Of(kv.Value, built.Length), StringComparer.Ordinal),
            ExactNames = exact.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal),
            Vocabulary = nameWords.Keys.Order(StringComparer.Ordinal).ToArray(),
        };

        static void Add(Dictionary<string, List<int>> map, string key, int position)
        {
            if (!map.TryGetValue(key, out var list)) map[key] = list = [];
            list.Add(position);
        }
    }
}
