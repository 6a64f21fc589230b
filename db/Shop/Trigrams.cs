using System.Globalization;
using System.Text;

namespace Cho40.Db;

/// <summary>
/// PostgreSQL's folding and pg_trgm's <c>similarity</c> and <c>word_similarity</c>, computed in the web process so the
/// in-memory catalogue index (<see cref="CatalogSearchIndex"/>) ranks exactly as the SQL rank did. Written by hand: no
/// .NET library implements pg_trgm's definitions (padded word trigrams; word similarity over the best continuous extent
/// of the second string's trigrams, pg_trgm's trgm_op.c). <c>Foundation/SearchParityTests</c> checks both against
/// PostgreSQL over the demo catalogue.
/// </summary>
public static class Trigrams
{
    /// <summary>The threshold of pg_trgm's <c>&lt;%</c> operator (pg_trgm.word_similarity_threshold, default 0.6).</summary>
    public const float WordSimilarityThreshold = 0.6f;

    /// <summary>The threshold of pg_trgm's <c>%</c> operator (pg_trgm.similarity_threshold, default 0.3).</summary>
    public const float SimilarityThreshold = 0.3f;

    /// <summary>pg_trgm's similarity: shared unique trigrams over all unique trigrams of both.</summary>
    public static float Similarity(string a, string b) => new Prepared(a).Measure(b).Similarity;

    /// <summary>
    /// pg_trgm's word_similarity(a, b): the greatest similarity between a's trigrams and any continuous extent of b's
    /// ordered trigrams (as the <c>&lt;%</c> operator uses it).
    /// </summary>
    public static float WordSimilarity(string a, string b) => new Prepared(a).Measure(b).WordSimilarity;

    /// <summary>
    /// A search text's trigrams, made once and measured against many names. Measuring allocates nothing (a search
    /// measures a few hundred names, and the garbage of lists and dictionaries per name was most of its cost).
    /// </summary>
    public sealed class Prepared
    {
        private readonly ulong[] unique;    // sorted

        public Prepared(string text)
        {
            var ordered = new ulong[MaxTrigrams(text)];
            var n = InOrder(text, ordered);
            unique = ordered.AsSpan(0, Dedupe(ordered.AsSpan(0, n))).ToArray();
        }

        /// <summary>similarity(text, other) and word_similarity(text, other).</summary>
        public (float Similarity, float WordSimilarity) Measure(string other)
        {
            var max = MaxTrigrams(other);
            Span<ulong> ordered = max <= 256 ? stackalloc ulong[max] : new ulong[max];
            ordered = ordered[..InOrder(other, ordered)];
            Span<ulong> sorted = ordered.Length <= 256 ? stackalloc ulong[ordered.Length] : new ulong[ordered.Length];
            ordered.CopyTo(sorted);
            var otherUnique = sorted[..Dedupe(sorted)];
            return (SimilarityTo(otherUnique), WordSimilarityTo(ordered, otherUnique));
        }

        private float SimilarityTo(ReadOnlySpan<ulong> other)
        {
            if (unique.Length == 0 || other.Length == 0) return 0f;
            int i = 0, j = 0, common = 0;
            while (i < unique.Length && j < other.Length)
            {
                if (unique[i] < other[j]) i++;
                else if (unique[i] > other[j]) j++;
                else { i++; j++; common++; }
            }
            return Sml(common, unique.Length, other.Length);
        }

        private float WordSimilarityTo(ReadOnlySpan<ulong> t2, ReadOnlySpan<ulong> t2Unique)
        {
            // Number b's trigrams: a's distinct trigrams are 0 … ulen1-1 (found); any other is ulen1 + its place among b's
            // distinct trigrams (pg_trgm numbers those in order of appearance; only their being distinct matters).
            var ulen1 = unique.Length;
            var unique1 = unique.AsSpan();
            Span<int> index2 = t2.Length <= 256 ? stackalloc int[t2.Length] : new int[t2.Length];
            for (var i = 0; i < t2.Length; i++)
            {
                var k = unique1.BinarySearch(t2[i]);
                index2[i] = k >= 0 ? k : ulen1 + t2Unique.BinarySearch(t2[i]);
            }

            var positions = ulen1 + t2Unique.Length;
            Span<int> lastpos = positions <= 512 ? stackalloc int[positions] : new int[positions];
            lastpos.Fill(-1);
            int ulen2 = 0, count = 0, lower = -1;
            var max = 0f;
            for (var i = 0; i < index2.Length; i++)
            {
                var trg = index2[i];
                var found = trg < ulen1;
                if (lower >= 0 || found)
                {
                    if (lastpos[trg] < 0)
                    {
                        ulen2++;
                        if (found) count++;
                    }
                    lastpos[trg] = i;
                }
                if (!found) continue;

                var upper = i;
                if (lower == -1)
                {
                    lower = i;
                    ulen2 = 1;
                }
                var current = Sml(count, ulen1, ulen2);
                // Try to move the lower bound right for a greater similarity.
                int tmpCount = count, tmpUlen2 = ulen2, previousLower = lower;
                for (var tmpLower = lower; tmpLower <= upper; tmpLower++)
                {
                    var candidate = Sml(tmpCount, ulen1, tmpUlen2);
                    if (candidate > current)
                    {
                        current = candidate;
                        ulen2 = tmpUlen2;
                        lower = tmpLower;
                        count = tmpCount;
                    }
                    var t = index2[tmpLower];
                    if (lastpos[t] == tmpLower)
                    {
                        tmpUlen2--;
                        if (t < ulen1) tmpCount--;
                    }
                }
                max = Math.Max(max, current);
                for (var tmpLower = previousLower; tmpLower < lower; tmpLower++)
                {
                    var t = index2[tmpLower];
                    if (lastpos[t] == tmpLower) lastpos[t] = -1;
                }
            }
            return max;
        }
    }

    private static float Sml(int count, int len1, int len2) => count / (float)(len1 + len2 - count);

    /// <summary>At most how many trigrams a text has: each word of n characters has n + 1.</summary>
    private static int MaxTrigrams(string text) => 2 * text.Length + 1;

    /// <summary>
    /// A text's trigrams as pg_trgm makes them, in order, into <paramref name="into"/> (<see cref="MaxTrigrams"/> long):
    /// each word lower case, two spaces before, one after; three characters packed in a number. Returns how many.
    /// </summary>
    private static int InOrder(string text, Span<ulong> into)
    {
        var n = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !IsWordChar(text[i])) i++;
            if (i >= text.Length) break;
            var start = i;
            while (i < text.Length && IsWordChar(text[i])) i++;
            ulong c0 = ' ', c1 = ' ';
            for (var k = start; k <= i; k++)
            {
                ulong c2 = k < i ? char.ToLowerInvariant(text[k]) : ' ';
                into[n++] = (c0 << 32) | (c1 << 16) | c2;
                c0 = c1;
                c1 = c2;
            }
        }
        return n;
    }

    /// <summary>Sorts the trigrams and moves the distinct ones to the front; returns how many there are.</summary>
    private static int Dedupe(Span<ulong> trigrams)
    {
        trigrams.Sort();
        var n = 0;
        for (var i = 0; i < trigrams.Length; i++)
        {
            if (i == 0 || trigrams[i] != trigrams[n - 1]) trigrams[n++] = trigrams[i];
        }
        return n;
    }

    /// <summary>pg_trgm's word characters (alphanumerics in the database's UTF-8 locale).</summary>
    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c);
}

/// <summary>The database's <c>f_search_fold</c> (lower(unaccent(…))) and <c>f_search_words</c>, in the web process.</summary>
public static class SearchFold
{
    /// <summary>No diacritics (đ → d too), lower case — as <c>f_search_fold</c> folds Vietnamese text.</summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            builder.Append(c switch { 'đ' or 'Đ' => 'd', _ => char.ToLowerInvariant(c) });
        }
        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>The words of a folded text: runs of letters and digits (<c>f_search_words</c>).</summary>
    public static string[] Words(string folded)
    {
        var words = new List<string>();
        var i = 0;
        while (i < folded.Length)
        {
            while (i < folded.Length && !IsWordChar(folded[i])) i++;
            var start = i;
            while (i < folded.Length && IsWordChar(folded[i])) i++;
            if (i > start) words.Add(folded[start..i]);
        }
        return words.ToArray();
    }

    internal static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || (c > 127 && char.IsLetterOrDigit(c));
}
