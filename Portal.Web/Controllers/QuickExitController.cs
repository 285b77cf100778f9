using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Reports;
using Portal.Web.Accounts;
using Portal.Web.Security;

namespace Portal.Web.Controllers;

/// <summary>
/// "Leave this site quickly": a plain link, so it works without JavaScript (with it, the page
/// replaces itself with this address, so the back button does not return). It ends the case
/// session on the server (a copied cookie stops working too), deletes a report in progress, tells
/// the browser to clear what it holds of the portal (Clear-Site-Data, and each cookie by name for
/// browsers without it) and sends the visitor on to a neutral site. A request another site made
/// (Sec-Fetch-Site: cross-site) is only sent on: nobody can end a victim's session from elsewhere.
/// </summary>
[AllowAnonymous]
public sealed class QuickExitController(EndCaseSessionHandler endSession, PortalCookies cookies, IConfiguration configuration) : Controller
{
    public const string Path = "/leave";
    public const string DefaultDestination = "https://www.google.com/";

    [HttpGet(Path)]
    public async Task<IActionResult> Leave(CancellationToken cancellationToken)
    {
        var site = Request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "" or "same-origin" or "none")
        {
            await endSession.HandleAsync(await CaseSession.CurrentAsync(HttpContext), Request.Cookies[cookies.Name(PortalCookies.Draft)], CaseSessionEnd.QuickExit, Actor.Victim, cancellationToken);
            await HttpContext.SignOutAsync(CaseSession.Scheme);
            foreach (var cookie in PortalCookies.VictimCookies)
            {
                cookies.Delete(Response, cookie);
            }

            Response.Headers["Clear-Site-Data"] = "\"cache\", \"cookies\", \"storage\"";
        }

        return Redirect(Destination(configuration));
    }

    /// <summary>Portal:QuickExitUrl when it is an absolute web address, else a search engine.</summary>
    public static string Destination(IConfiguration configuration) =>
        Uri.TryCreate(configuration["Portal:QuickExitUrl"], UriKind.Absolute, out var url) && url.Scheme is "https" or "http"
            ? url.ToString()
            : DefaultDestination;
}
