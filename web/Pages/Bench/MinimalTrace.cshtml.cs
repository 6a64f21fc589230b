using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Cho40.Web.Pages.Bench;

/// <summary>The benchmark's yardstick for the trace page: Dapper reads 12 rows, Razor writes them. Only when Cho40:Bench is true.</summary>
[IgnoreAntiforgeryToken]
public sealed class MinimalTraceModel(NpgsqlDataSource db, IConfiguration configuration) : PageModel
{
    public sealed record Row(long Id, string Name);

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue<bool>("Cho40:Bench")) return NotFound();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        Rows = (await connection.QueryAsync<Row>(new CommandDefinition("SELECT id, name FROM products ORDER BY id LIMIT 12",
            cancellationToken: cancellationToken))).AsList();
        return Page();
    }
}
