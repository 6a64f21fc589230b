using Cho40.Db;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Admin;

public sealed class AdminIndexModel(Sellers sellers) : PageModel
{
    public int PendingSellers { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => PendingSellers = (await sellers.ListAsync("pending", cancellationToken)).Count;
}
