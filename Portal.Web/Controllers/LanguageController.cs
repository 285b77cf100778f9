using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Localization;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

[AllowAnonymous]
public sealed class LanguageController(PortalCookies cookies, ShownPages pages) : Controller
{
    /// <summary>
    /// The language switcher: a plain form post, so it works without JavaScript. From a page that
    /// shows a form's errors it carries that form's fields, which the browser is sent to post
    /// again (307 keeps the method and the body) so that the errors are shown in the new language
    /// with what was typed (<see cref="LanguageReplay"/>).
    /// </summary>
    [HttpPost("/language")]
    public IActionResult Set(string? language, string? returnUrl, [FromForm(Name = LanguageReplay.Field)] string? replay)
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
        if (replay is not null && Url.IsLocalUrl(replay) && !replay.Contains('?', StringComparison.Ordinal) && pages.Replays(replay))
        {
            return LocalRedirectPreserveMethod(LocalReturnUrl.Encode(replay));
        }

        return LocalRedirect(LocalReturnUrl.Resolve(Url, returnUrl, "/"));
    }
}
