using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Admin.Cod;

/// <summary>One statement: every line, what reconciliation made of it, and the admin's decisions.</summary>
public sealed class StatementModel(CodStatements statements) : PageModel
{
    public CodStatement Statement { get; private set; } = null!;
    public IReadOnlyList<CodLine> Lines { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id)
    {
        var statement = await statements.FindAsync(id);
        if (statement is null) return NotFound();
        Statement = statement;
        Lines = await statements.LinesAsync(id);
        return Page();
    }
}
