using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages;

/// <summary>
/// The language switch: a plain link (works without JavaScript) that remembers the choice in the culture cookie
/// and goes back to the page. A GET is fine here: the worst a forged link can do is change someone's language.
/// </summary>
public sealed class CultureModel : PageModel
{
    public IActionResult OnGet(string? culture, string? returnUrl) => Remember(culture, returnUrl);

    public IActionResult OnPost(string? culture, string? returnUrl) => Remember(culture, returnUrl);

    private IActionResult Remember(string? culture, string? returnUrl)
    {
        if (culture is null) return RedirectToPage("/Index");
        var chosen = culture == "en" ? "en" : "vi-VN";
        Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax });
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
