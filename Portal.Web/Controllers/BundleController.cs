using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Bundles;
using Portal.Web.Accounts;
using Portal.Web.Evidence;
using Portal.Web.Hosting;

namespace Portal.Web.Controllers;

public sealed record CampaignBundleRefusal(Guid CampaignId, string MessageKey);

/// <summary>
/// A case's signed evidence bundle, streamed as a ZIP. Only after signing in again within five
/// minutes; who may have which case is decided in Portal.Core (<see cref="CaseBundleAccess"/>),
/// and a case they may not have answers 404 like one that does not exist. Every download,
/// refusal and integrity failure is audited; a HEAD is refused, so only a download is recorded as one.
/// </summary>
[Authorize(Roles = StaffRoles.Supervisor + "," + StaffRoles.Police)]
[GetOnly]
public sealed class BundleController(DownloadCaseBundleHandler caseBundles, CampaignBundleHandler campaignBundles) : Controller
{
    /// <summary>
    /// A campaign's bundle, for police only and only with a supervisor's approval of the campaign
    /// as it is now (no case has gained police consent since), given by someone else (two people).
    /// Refusals are audited like downloads.
    /// </summary>
    [Authorize(Roles = StaffRoles.Police)]
    [HttpGet("staff/campaigns/{campaignId:guid}/bundle")]
    [RequireRecentSignIn]
    public async Task<IActionResult> DownloadCampaign(Guid campaignId, CancellationToken cancellationToken)
    {
        var result = await campaignBundles.PrepareAsync(campaignId, HttpContext.StaffActor(), AlertLanguage, cancellationToken);
        switch (result)
        {
            case CampaignBundleResult.NotFound:
                return NotFound();

            case CampaignBundleResult.NotApproved or CampaignBundleResult.SamePerson or CampaignBundleResult.CasesAdded:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("CampaignRefused", new CampaignBundleRefusal(campaignId, "CampaignBundle.Refused." + result.GetType().Name));

            case CampaignBundleResult.Blocked blocked:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("Blocked", blocked.Case.File.FileName);

            case CampaignBundleResult.Ready ready:
                return new SealedDownload(ready.FileName, "application/zip", ready.WriteToAsync);

            default:
                throw new InvalidOperationException($"Unexpected result {result.GetType().Name}.");
        }
    }

    [HttpGet("staff/cases/{caseId:guid}/bundle")]
    [RequireRecentSignIn]
    public async Task<IActionResult> Download(Guid caseId, CancellationToken cancellationToken)
    {
        var requester = new BundleRequester(
            User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
            User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
        var result = await caseBundles.PrepareAsync(caseId, requester, HttpContext.StaffActor(), AlertLanguage, cancellationToken);
        switch (result)
        {
            case CaseBundleResult.NotFound:
                return NotFound();

            case CaseBundleResult.Blocked blocked:
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("Blocked", blocked.File.FileName);

            case CaseBundleResult.Ready ready:
                return new SealedDownload(ready.FileName, "application/zip", ready.WriteToAsync);

            default:
                throw new InvalidOperationException($"Unexpected result {result.GetType().Name}.");
        }
    }

    /// <summary>The language of an integrity alert to supervisors: the one the page is shown in.</summary>
    private static string AlertLanguage =>
        EmailComposer.Languages.Contains(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName) ? CultureInfo.CurrentUICulture.TwoLetterISOLanguageName : "en";
}

/// <summary>The public half of the bundle signing key, for anyone checking a bundle with openssl.</summary>
[AllowAnonymous]
public sealed class SigningKeyController(BundleSigningKey signingKey) : Controller
{
    public const string PublicKeyPath = "/keys/bundle-signing.pem";

    [HttpGet(PublicKeyPath)]
    public IActionResult PublicKey()
    {
        Response.Headers["X-Key-SHA256"] = signingKey.Fingerprint;
        return Content(signingKey.PublicKeyPem, "application/x-pem-file");
    }
}
