using System.Data;
using System.Numerics;
using System.Text;
using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// Text search over the listed catalogue, in the web process (issue 15: search collapsed under varied queries when
/// PostgreSQL planned and ranked every search). Each process keeps the searchable fields of every listed product — the
/// folded name and description, category, origin, OCOP stars, price and seller — with word postings in name-length order,
/// and finds and ranks a search's candidates with the same rules and the same rank as the SQL search (pg_trgm similarity
/// and word similarity, computed by <see cref="Trigrams"/>). Only the page of result cards is read from PostgreSQL, by id,
/// together with the catalogue version (<c>catalog_search_version</c>): when the version moved, the index first reads the
/// products stamped since (a few rows) and searches again, so a search never answers from a catalogue older than the
/// one it reads its cards from. About 300 bytes per product (30 MB for 100,000).
/// </summary>
public sealed class CatalogSearchIndex(NpgsqlDataSource db)
{
    /// <summary>How many candidates each source gives (as <see cref="ShopQueries.CandidatesPerSource"/>).</summary>
    public const int CandidatesPerSource = ShopQueries.CandidatesPerSource;

    /// <summary>Changed products kept beside the built index before it is built again.</summary>
    public const int MaxOverlay = 2_000;

    /// <summary>Description matches checked at most per search: descriptions are searched "a little".</summary>
    private const int MaxDescriptionChecks = 2_000;

    internal sealed record Entry(long Id, string Name, byte[] Description, string[] NameWords, int CategoryId, string? ProvinceCode,
        short? OcopStars, long PriceVnd, long SellerId);

    private sealed record Row(long Id, string NameFolded, string DescriptionFolded, int CategoryId, string? ProvinceCode,
        short? OcopStars, long PriceVnd, long SellerId, bool Listed);

    /// <summary>One consistent state: a built part (postings) and the products changed since it was built.</summary>
    private sealed class Snapshot
    {
        public required long Version { get; init; }
        public required Entry[] Built { get; init; }                   // in name-length order, then newest first
        public required Dictionary<string, int[]> NameWords { get; init; }
        public required string[] Vocabulary { get; init; }              // every name word, sorted (ordinal): prefixes and typos
        public required Dictionary<string, int[]> DescriptionWords { get; init; }
        public required Dictionary<string, int[]> ExactNames { get; init; }
        public required Dictionary<long, Entry?> Changed { get; init; }  // null: no longer listed
        public required Dictionary<int, int?> CategoryParents { get; init; }
    }

    private Snapshot? current;
    private readonly SemaphoreSlim refreshing = new(1, 1);

    /// <summary>The version the index answers from (0 before the first search).</summary>
    public long Version => current?.Version ?? 0;

    /// <summary>
    /// The ranked hits of a text search with words (<paramref name="folded"/> has at least one letter or digit), filters
    /// and keyset cursor applied, as (id, rank) — at most <paramref name="take"/> of them — and the cards read with them.
    /// </summary>
    internal async Task<SearchResult> SearchAsync(SearchQuery query, string folded, int limit, string cardColumns,
        CancellationToken cancellationToken)
    {
        var snapshot = current ?? await RefreshAsync(null, cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var ranked = Rank(snapshot, query, folded, limit + 1);
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition($"""
                SELECT version FROM catalog_search_version;
                SELECT {cardColumns}
                FROM products p
                JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
                LEFT JOIN provinces pr ON pr.code = p.origin_province_code
                WHERE p.id = ANY(@ids) AND p.status = 'published'
                """, new { ids = ranked.Select(r => r.Id).ToArray() }, cancellationToken: cancellationToken));
            var version = await results.ReadSingleAsync<long>();
            var cards = (await results.ReadAsync<ShopCard>()).ToDictionary(c => c.Id);
            if (version > snapshot.Version && attempt == 0)
            {
                // The catalogue changed after this index was read: catch up, then search again.
                snapshot = await RefreshAsync(snapshot, cancellationToken);
                continue;
            }
            var hits = ranked.Where(r => cards.ContainsKey(r.Id)).Select(r => new SearchHit(cards[r.Id], r.Rank)).ToList();
            var page = hits.Take(limit).ToList();
            var next = ranked.Count > limit && page.Count > 0 ? new SearchCursor(page[^1].Rank, page[^1].Card.Id) : null;
            return new SearchResult(page, next);
        }
    }

    private readonly record struct Ranked(long Id, int Rank);

    private static List<Ranked> Rank(Snapshot s, SearchQuery query, string folded, int take)
    {
        var words = SearchFold.Words(folded);
        var searchDescriptions = (query.Text ?? "").Length >= 4;
        var candidates = new Dictionary<long, Entry>();
        foreach (var e in ExactName(s, query, folded)) candidates.TryAdd(e.Id, e);
        foreach (var e in AllWords(s, query, words)) candidates.TryAdd(e.Id, e);
        if (searchDescriptions)
            foreach (var e in DescriptionPhrase(s, query, words)) candidates.TryAdd(e.Id, e);

        var foldedBytes = Encoding.UTF8.GetBytes(folded);
        var ranked = new List<Ranked>(candidates.Count);
        foreach (var e in candidates.Values)
        {
            // The SQL search's match rule and rank, term for term (ShopQueries.LoadSearchAsync).
            var contains = e.Name.Contains(folded, StringComparison.Ordinal);
            var wordSimilarity = Trigrams.WordSimilarity(folded, e.Name);
            var inDescription = e.Description.AsSpan().IndexOf(foldedBytes) >= 0;
            if (!(contains || wordSimilarity >= Trigrams.WordSimilarityThreshold || (searchDescriptions && inDescription))) continue;
            var rank = (int)Math.Round(wordSimilarity * 1000d)
                       + (int)Math.Round(Trigrams.Similarity(folded, e.Name) * 400d)
                       + (e.Name == folded ? 3000 : 0)
                       + (e.Name.StartsWith(folded, StringComparison.Ordinal) ? 1000 : 0)
                       + (contains ? 500 : 0)
                       + (!contains && inDescription ? 50 : 0);
            if (query.After is { } after && (rank > after.Rank || (rank == after.Rank && e.Id >= after.Id))) continue;
            ranked.Add(new Ranked(e.Id, rank));
        }
        ranked.Sort((a, b) => a.Rank != b.Rank ? b.Rank.CompareTo(a.Rank) : b.Id.CompareTo(a.Id));
        if (ranked.Count > take) ranked.RemoveRange(take, ranked.Count - take);
        return ranked;
    }

    private static bool Passes(Snapshot s, SearchQuery q, Entry e) =>
        (q.CategoryId is not { } category || e.CategoryId == category
            || (s.CategoryParents.TryGetValue(e.CategoryId, out var parent) && parent == category))
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
        var bits = new ulong[(s.Built.Length + 63) / 64];
        var first = true;
        foreach (var (prefix, exact) in alternatives)
        {
            var word = new ulong[bits.Length];
            foreach (var v in PrefixRange(s.Vocabulary, prefix))
                if (s.NameWords.TryGetValue(v, out var postings)) Mark(word, postings);   // words only changed products have are not
            foreach (var v in exact)
                if (s.NameWords.TryGetValue(v, out var postings)) Mark(word, postings);
            if (first) { bits = word; first = false; }
            else for (var i = 0; i < bits.Length; i++) bits[i] &= word[i];
        }

        var found = new List<Entry>(CandidatesPerSource * 2);
        for (var block = 0; block < bits.Length && found.Count < CandidatesPerSource; block++)
        {
            var b = bits[block];
            while (b != 0 && found.Count < CandidatesPerSource)
            {
                var e = s.Built[block * 64 + BitOperations.TrailingZeroCount(b)];
                b &= b - 1;
                if (!s.Changed.ContainsKey(e.Id) && Passes(s, q, e)) found.Add(e);
            }
        }
        // Products changed since the build: checked one by one (there are few).
        found.AddRange(s.Changed.Values.OfType<Entry>().Where(e => Passes(s, q, e) && alternatives.All(a =>
            e.NameWords.Any(n => n.StartsWith(a.Prefix, StringComparison.Ordinal) || a.Exact.Contains(n)))));
        return found.OrderBy(e => e.Name.Length).ThenByDescending(e => e.Id).Take(CandidatesPerSource);
    }

    /// <summary>Source 3 (texts of 4 characters or more): products whose description has the text's words as a phrase, checked a bounded number of times.</summary>
    private static IEnumerable<Entry> DescriptionPhrase(Snapshot s, SearchQuery q, string[] words)
    {
        if (words.Length == 0) return [];
        ulong[]? bits = null;
        foreach (var w in words.Distinct())
        {
            if (!s.DescriptionWords.TryGetValue(w, out var postings)) { bits = null; break; }
            var word = new ulong[(s.Built.Length + 63) / 64];
            Mark(word, postings);
            if (bits is null) bits = word;
            else for (var i = 0; i < bits.Length; i++) bits[i] &= word[i];
        }
        var found = new List<Entry>(CandidatesPerSource);
        var checks = 0;
        for (var block = 0; bits is not null && block < bits.Length && found.Count < CandidatesPerSource && checks < MaxDescriptionChecks; block++)
        {
            var b = bits[block];
            while (b != 0 && found.Count < CandidatesPerSource && checks < MaxDescriptionChecks)
            {
                var e = s.Built[block * 64 + BitOperations.TrailingZeroCount(b)];
                b &= b - 1;
                if (s.Changed.ContainsKey(e.Id) || !Passes(s, q, e)) continue;
                checks++;
                if (HasPhrase(e, words)) found.Add(e);
            }
        }
        found.AddRange(s.Changed.Values.OfType<Entry>().Where(e => Passes(s, q, e) && HasPhrase(e, words)));
        return found.Take(CandidatesPerSource);
    }

    /// <summary>The description has the words one after the other (as a text search phrase: punctuation between them is no matter).</summary>
    private static bool HasPhrase(Entry e, string[] words)
    {
        var description = SearchFold.Words(Encoding.UTF8.GetString(e.Description));
        for (var start = 0; start + words.Length <= description.Length; start++)
        {
            var i = 0;
            while (i < words.Length && description[start + i] == words[i]) i++;
            if (i == words.Length) return true;
        }
        return false;
    }

    private static void Mark(ulong[] bits, int[] positions)
    {
        foreach (var p in positions) bits[p >> 6] |= 1UL << (p & 63);
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
            var near = Trigrams.Similarity(v, w) >= Trigrams.SimilarityThreshold
                       || (w.Length <= 3 && v.Length <= w.Length + 1 && v.Length > 0 && v[0] == w[0]);
            if (near && Levenshtein(v, w) <= maxEdits) result.Add(v);
        }
        return result;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
                row[j] = Math.Min(Math.Min(row[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, row) = (row, previous);
        }
        return previous[b.Length];
    }

    // ---- Reading the catalogue ------------------------------------------------------------------------------------

    private const string RowColumns = """
        p.id, p.name_folded AS NameFolded, p.description_folded AS DescriptionFolded, p.category_id AS CategoryId,
        p.origin_province_code AS ProvinceCode, p.ocop_stars AS OcopStars, p.price_vnd AS PriceVnd, p.seller_id AS SellerId,
        p.status = 'published' AND s.status = 'approved' AS Listed
        """;

    /// <summary>
    /// Brings the index up to the catalogue's current version: the products stamped since <paramref name="seen"/>, or
    /// everything when there is no index yet or too many have changed. One refresh at a time; a search that waited for
    /// another's refresh uses its result.
    /// </summary>
    private async Task<Snapshot> RefreshAsync(Snapshot? seen, CancellationToken cancellationToken)
    {
        await refreshing.WaitAsync(cancellationToken);
        try
        {
            if (current is { } now && now != seen) return now;
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            // One snapshot for the version and the rows: nothing committed in between is missed or read twice.
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            var version = await connection.QuerySingleAsync<long>(new CommandDefinition(
                "SELECT version FROM catalog_search_version", transaction: tx, cancellationToken: cancellationToken));
            var parents = (await connection.QueryAsync<(int Id, int? ParentId)>(new CommandDefinition(
                "SELECT id, parent_id FROM categories", transaction: tx, cancellationToken: cancellationToken)))
                .ToDictionary(c => c.Id, c => c.ParentId);
            Snapshot next;
            if (seen is null || seen.Changed.Count >= MaxOverlay)
            {
                var rows = await connection.QueryAsync<Row>(new CommandDefinition($"""
                    SELECT {RowColumns} FROM products p JOIN sellers s ON s.id = p.seller_id
                    WHERE p.status = 'published' AND s.status = 'approved'
                    """, transaction: tx, cancellationToken: cancellationToken));
                next = Build(version, rows.Select(ToEntry), parents);
            }
            else
            {
                var rows = await connection.QueryAsync<Row>(new CommandDefinition($"""
                    SELECT {RowColumns} FROM products p JOIN sellers s ON s.id = p.seller_id
                    WHERE p.search_version > @since
                    """, new { since = seen.Version }, tx, cancellationToken: cancellationToken));
                var changed = new Dictionary<long, Entry?>(seen.Changed);
                foreach (var row in rows) changed[row.Id] = row.Listed ? ToEntry(row) : null;
                next = new Snapshot
                {
                    Version = version, Built = seen.Built, NameWords = seen.NameWords, DescriptionWords = seen.DescriptionWords,
                    ExactNames = seen.ExactNames, Changed = changed, CategoryParents = parents,
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
        SearchFold.Words(r.NameFolded), r.CategoryId, r.ProvinceCode, r.OcopStars, r.PriceVnd, r.SellerId);

    private static Snapshot Build(long version, IEnumerable<Entry> entries, Dictionary<int, int?> parents)
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
            Version = version, Built = built, Changed = [], CategoryParents = parents,
            NameWords = nameWords.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal),
            DescriptionWords = descriptionWords.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal),
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
