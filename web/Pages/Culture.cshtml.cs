using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages;

/// <summary>The language switch: a plain form POST (works without JavaScript) that sets the culture cookie.</summary>
public sealed class CultureModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost(string culture, string? returnUrl)
    {
        var chosen = culture == "en" ? "en" : "vi-VN";
        Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax });
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
