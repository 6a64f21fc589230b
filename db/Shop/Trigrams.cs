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

    /// <summary>A search text's trigrams, made once and measured against many names.</summary>
    public sealed class Prepared
    {
        private readonly ulong[] unique;    // sorted

        public Prepared(string text) => unique = Unique(InOrder(text));

        /// <summary>similarity(text, other) and word_similarity(text, other).</summary>
        public (float Similarity, float WordSimilarity) Measure(string other)
        {
            var ordered = InOrder(other);
            return (SimilarityTo(Unique(ordered)), WordSimilarityTo(ordered));
        }

        private float SimilarityTo(ulong[] other)
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

        private float WordSimilarityTo(List<ulong> t2)
        {
            // Number b's trigrams: a's distinct trigrams are 0 … ulen1-1 (found), others follow.
            var ulen1 = unique.Length;
            var index2 = new int[t2.Count];
            var others = new Dictionary<ulong, int>();
            for (var i = 0; i < t2.Count; i++)
            {
                var k = Array.BinarySearch(unique, t2[i]);
                if (k < 0 && !others.TryGetValue(t2[i], out k))
                {
                    k = ulen1 + others.Count;
                    others.Add(t2[i], k);
                }
                index2[i] = k;
            }

            var lastpos = new int[ulen1 + others.Count];
            Array.Fill(lastpos, -1);
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

    /// <summary>A word's trigrams as pg_trgm makes them: lower case, two spaces before, one after; three characters packed in a number.</summary>
    internal static List<ulong> InOrder(string text)
    {
        var result = new List<ulong>(text.Length + 4);
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
                result.Add((c0 << 32) | (c1 << 16) | c2);
                c0 = c1;
                c1 = c2;
            }
        }
        return result;
    }

    private static ulong[] Unique(List<ulong> trigrams)
    {
        var array = trigrams.ToArray();
        Array.Sort(array);
        var n = 0;
        for (var i = 0; i < array.Length; i++)
        {
            if (i == 0 || array[i] != array[n - 1]) array[n++] = array[i];
        }
        return array[..n];
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
