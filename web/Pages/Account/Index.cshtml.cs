using System.Security.Claims;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Account;

[Authorize]
public sealed class AccountIndexModel(Accounts accounts) : PageModel
{
    public string Phone { get; private set; } = "";
    public IReadOnlyList<string> Roles { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Phone = User.FindFirstValue(ClaimTypes.MobilePhone) ?? "";
        Roles = await accounts.RolesOfAsync(User.UserId(), cancellationToken);
    }
}
