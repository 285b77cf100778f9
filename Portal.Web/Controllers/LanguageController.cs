using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Localization;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

[AllowAnonymous]
public sealed class LanguageController(PortalCookies cookies) : Controller
{
    /// <summary>The language switcher: a plain form post, so it works without JavaScript.</summary>
    [HttpPost("/language")]
    public IActionResult Set(string? language, string? returnUrl)
    {
        var chosen = language is not null && LocalizationSetup.Languages.Contains(language) ? language : "en";
        Response.Cookies.Append(
            cookies.Name(PortalCookies.Language),
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions
            {
                Expires = DateTimeOffset.UtcNow.AddYears(1),
                Secure = cookies.HttpsOnly || Request.IsHttps,
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Path = "/",
                IsEssential = true,
            });
        return LocalRedirect(LocalReturnUrl.Resolve(Url, returnUrl, "/"));
    }
}
