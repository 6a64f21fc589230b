using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Cho40.Tests.Foundation;

/// <summary>
/// The README and docs/ point at files, folders and headings that exist: every relative Markdown link
/// (and &lt;a href&gt;) in README.md and docs/**/*.md resolves, every #fragment into another .md file names
/// one of its headings (GitHub's anchor rules), and the README stays a newcomer's page (≤ 12 KB).
/// No database: plain file reads.
/// </summary>
public sealed partial class DocLinkTests
{
    private const int ReadmeMaxBytes = 12_288;

    [Fact]
    public void Readme_is_at_most_12_KB()
    {
        var readme = Path.Combine(RepositoryRoot(), "README.md");
        var bytes = new FileInfo(readme).Length;
        Assert.True(bytes <= ReadmeMaxBytes,
            $"README.md is {bytes:N0} bytes; the limit is {ReadmeMaxBytes:N0}. Move detail into docs/ and link to it.");
    }

    [Fact]
    public void Every_relative_link_in_the_readme_and_docs_resolves()
    {
        var root = RepositoryRoot();
        var files = MarkdownFiles(root);
        Assert.True(files.Count > 1, $"expected README.md and docs/**/*.md under {root}");

        var anchorsByFile = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var file in files)
        {
            foreach (var (line, target) in Links(File.ReadAllText(file)))
            {
                if (IsExternalOrSamePageAnchor(target)) continue;
                checkedLinks++;
                var where = $"{Path.GetRelativePath(root, file)}:{line}: ({target})";

                var (path, fragment) = SplitTarget(target);
                var resolved = path.StartsWith('/')
                    ? Path.GetFullPath(Path.Combine(root, path.TrimStart('/')))
                    : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add($"{where} → no file or folder {Path.GetRelativePath(root, resolved)}");
                    continue;
                }

                if (fragment.Length == 0 || !resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(resolved))
                    continue;
                if (!anchorsByFile.TryGetValue(resolved, out var anchors))
                    anchorsByFile[resolved] = anchors = HeadingAnchors(File.ReadAllText(resolved));
                if (!anchors.Contains(fragment))
                    broken.Add($"{where} → no heading with anchor #{fragment} in {Path.GetRelativePath(root, resolved)}");
            }
        }

        Assert.True(checkedLinks > 0, "no relative links found: is the link pattern still right?");
        Assert.True(broken.Count == 0,
            $"{broken.Count} broken link(s) of {checkedLinks} checked:\n" + string.Join('\n', broken));
    }

    [Theory]
    [InlineData("Configuration and secrets", "configuration-and-secrets")]
    [InlineData("VietQR: `./cho40 bench vietqr`", "vietqr-cho40-bench-vietqr")]
    [InlineData("Bank notifications: `POST /api/bank-notifications/{provider}`", "bank-notifications-post-apibank-notificationsprovider")]
    [InlineData("Trace — traceability (truy xuất nguồn gốc)", "trace--traceability-truy-xuất-nguồn-gốc")]
    [InlineData("Stall payments (sạp: tài khoản, thu tiền)", "stall-payments-sạp-tài-khoản-thu-tiền")]
    [InlineData("See [the docs](docs/README.md) **now**", "see-the-docs-now")]
    [InlineData("snake_case and  two spaces", "snake_case-and--two-spaces")]
    public void Heading_anchors_follow_GitHub(string heading, string anchor) => Assert.Equal(anchor, Slug(heading));

    [Fact]
    public void Anchors_of_repeated_headings_are_numbered()
    {
        var anchors = HeadingAnchors("# Tests\n\n## Tests\n\n```bash\n# not a heading\n```\n### Tests\n");
        Assert.Equal(new[] { "tests", "tests-1", "tests-2" }, anchors.Order());
    }

    [Fact]
    public void Links_in_code_are_not_links()
    {
        var links = Links("[a](x.md) `[b](y.md)`\n```\n[c](z.md)\n```\n<a href=\"w.md\">w</a>\n[d]: v.md\n").Select(l => l.Target);
        Assert.Equal(new[] { "x.md", "w.md", "v.md" }, links);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "cho40")) && File.Exists(Path.Combine(dir.FullName, "Cho40.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no folder with cho40 and Cho40.sln above {AppContext.BaseDirectory}");
    }

    private static List<string> MarkdownFiles(string root)
    {
        var files = new List<string> { Path.Combine(root, "README.md") };
        var docs = Path.Combine(root, "docs");
        if (Directory.Exists(docs))
            files.AddRange(Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        return files;
    }

    private static bool IsExternalOrSamePageAnchor(string target) =>
        target.StartsWith('#')
        || target.StartsWith("http:", StringComparison.OrdinalIgnoreCase)
        || target.StartsWith("https:", StringComparison.OrdinalIgnoreCase)
        || target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase);

    private static (string Path, string Fragment) SplitTarget(string target)
    {
        var fragment = "";
        var hash = target.IndexOf('#');
        if (hash >= 0)
        {
            fragment = Uri.UnescapeDataString(target[(hash + 1)..]);
            target = target[..hash];
        }
        var query = target.IndexOf('?');
        if (query >= 0) target = target[..query];
        return (Uri.UnescapeDataString(target), fragment);
    }

    /// <summary>Link targets with their line numbers, outside fenced code blocks and code spans.</summary>
    private static IEnumerable<(int Line, string Target)> Links(string markdown)
    {
        var inFence = false;
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (FencePattern().IsMatch(line)) { inFence = !inFence; continue; }
            if (inFence) continue;
            line = CodeSpanPattern().Replace(line, "code");
            foreach (Match m in InlineLinkPattern().Matches(line)) yield return (i + 1, m.Groups["target"].Value);
            foreach (Match m in HrefPattern().Matches(line)) yield return (i + 1, m.Groups["target"].Value);
            var definition = LinkDefinitionPattern().Match(line);
            if (definition.Success) yield return (i + 1, definition.Groups["target"].Value);
        }
    }

    /// <summary>The anchors GitHub gives the headings of a Markdown file (repeats get -1, -2, …).</summary>
    private static HashSet<string> HeadingAnchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (FencePattern().IsMatch(line)) { inFence = !inFence; continue; }
            if (inFence) continue;
            var heading = HeadingPattern().Match(line.TrimEnd('\r'));
            if (!heading.Success) continue;
            var slug = Slug(heading.Groups["text"].Value);
            var anchor = seen.TryGetValue(slug, out var n) ? $"{slug}-{n}" : slug;
            seen[slug] = n + 1;
            anchors.Add(anchor);
        }
        return anchors;
    }

    /// <summary>
    /// GitHub's heading anchor: the heading's text (links reduced to their text, tags dropped), lower-cased;
    /// letters (Vietnamese ones included), combining marks, digits, '_', '-' and spaces are kept, every
    /// other character is dropped, and each space becomes '-'.
    /// </summary>
    private static string Slug(string heading)
    {
        var text = InlineLinkTextPattern().Replace(heading, "${text}");
        text = TagPattern().Replace(text, "");
        var slug = new StringBuilder();
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(c);
            if (c == ' ') slug.Append('-');
            else if (c == '-' || char.IsLetterOrDigit(c)
                     || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                         or UnicodeCategory.EnclosingMark or UnicodeCategory.ConnectorPunctuation)
                slug.Append(c);
        }
        return slug.ToString();
    }

    [GeneratedRegex(@"^\s{0,3}(```|~~~)")]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"(`+).+?\1")]
    private static partial Regex CodeSpanPattern();

    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?<target>[^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLinkPattern();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLinkTextPattern();

    [GeneratedRegex(@"<a\s[^>]*\bhref\s*=\s*[""'](?<target>[^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex HrefPattern();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s*<?(?<target>[^\s>]+)>?")]
    private static partial Regex LinkDefinitionPattern();

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(?<text>.*?)(?:\s+#+)?\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex TagPattern();
}
