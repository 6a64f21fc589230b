using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Cho40.Web.Pages.Bench;

/// <summary>
/// The shop benchmark's yardstick: Dapper reads 12 rows, Razor writes them in the site layout.
/// Answers 404 unless Cho40:Bench is true.
/// </summary>
public sealed class MinimalModel(NpgsqlDataSource db, IConfiguration configuration, Cho40.Db.CatalogSearchIndex searchIndex) : PageModel
{
    public sealed record Row(long Id, string Name, long PriceVnd);

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue<bool>("Cho40:Bench")) return NotFound();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        Rows = (await connection.QueryAsync<Row>(
            new CommandDefinition("SELECT id, name, price_vnd AS PriceVnd FROM products WHERE status = 'published' ORDER BY id DESC LIMIT 12",
            cancellationToken: cancellationToken))).AsList();
        return Page();
    }

    /// <summary>?handler=SearchIndex: 200 once the catalogue search index is built (the benchmark waits for it), else 503.</summary>
    public IActionResult OnGetSearchIndex()
    {
        if (!configuration.GetValue<bool>("Cho40:Bench")) return NotFound();
        return searchIndex.Ready
            ? Content($"ready at catalogue version {searchIndex.Version}, changes {(searchIndex.Listens ? "pushed (listening)" : "read by each search")}, " +
                      $"{searchIndex.DatabaseReads} searches read the version from PostgreSQL")
            : StatusCode(StatusCodes.Status503ServiceUnavailable);
    }
}
