using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Bundles;
using Portal.Web.Accounts;
using Portal.Web.Audit;

namespace Portal.Web.Controllers;

public sealed record CampaignBundleRefusal(Guid CampaignId, string MessageKey);

/// <summary>
/// A case's signed evidence bundle, streamed as a ZIP. Only after signing in again within five
/// minutes; who may have which case is decided in Portal.Core (<see cref="CaseBundleAccess"/>),
/// and a case they may not have answers 404 like one that does not exist. Every download,
/// refusal and integrity failure is audited.
/// </summary>
[Authorize(Roles = StaffRoles.Supervisor + "," + StaffRoles.Police)]
public sealed class BundleController(CaseBundleAccess access, BuildCaseBundleHandler bundles, CampaignBundleHandler campaignBundles, EvidenceIntegrityAlert alert, AuditTrail audit, ILogger<BundleController> logger) : Controller
{
    /// <summary>
    /// A campaign's bundle, for police only and only with a supervisor's approval of the campaign
    /// as it is now, given by someone else (two people). Refusals are audited like downloads.
    /// </summary>
    [Authorize(Roles = StaffRoles.Police)]
    [HttpGet("staff/campaigns/{campaignId:guid}/bundle")]
    [RequireRecentSignIn]
    public async Task<IActionResult> DownloadCampaign(Guid campaignId, CancellationToken cancellationToken)
    {
        var result = await campaignBundles.PrepareAsync(campaignId, User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", cancellationToken);
        switch (result)
        {
            case CampaignBundleResult.NotFound:
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.AccessDenied, subject: campaignId.ToString(), detail: "campaign-bundle"), cancellationToken);
                return NotFound();

            case CampaignBundleResult.NotApproved or CampaignBundleResult.SamePerson:
                var reason = result is CampaignBundleResult.NotApproved ? "NotApproved" : "SamePerson";
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.CampaignBundleRefused, subject: campaignId.ToString(), detail: reason), cancellationToken);
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("CampaignRefused", new CampaignBundleRefusal(campaignId, "CampaignBundle.Refused." + reason));

            case CampaignBundleResult.Blocked blocked:
                await AlertAsync(blocked.CaseId, blocked.Case.Reference, blocked.Case.File.Id, blocked.Case.Problem, cancellationToken);
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("Blocked", blocked.Case.File.FileName);

            case CampaignBundleResult.Ready ready:
                // Recorded for the campaign and in each member case's own custody log.
                var exported = ready.Cases.Select(c => HttpContext.StaffEvent(AuditActions.BundleDownloaded, c.CaseId, ready.FileName, $"in campaign {ready.Reference} v{ready.Version}")).ToList();
                exported.Insert(0, HttpContext.StaffEvent(AuditActions.CampaignBundleDownloaded, subject: campaignId.ToString(), detail: $"v{ready.Version} {ready.Cases.Count} cases: {string.Join(' ', ready.Cases.Select(c => c.Reference))}"));
                await audit.AppendManyAsync(exported, cancellationToken);
                var disposition = new ContentDispositionHeaderValue("attachment");
                disposition.SetHttpFileName(ready.FileName);
                Response.Headers.ContentDisposition = disposition.ToString();
                Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
                Response.ContentType = "application/zip";
                try
                {
                    await ready.WriteToAsync(Response.Body, cancellationToken);
                }
                catch (EvidenceIntegrityException exception)
                {
                    logger.LogError("A campaign bundle was cut off: evidence {EvidenceId} failed its check while streaming", exception.File.Id);
                    HttpContext.Abort();
                }

                return new EmptyResult();

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
        var result = await access.MayDownloadAsync(caseId, requester, cancellationToken)
            ? await bundles.HandleAsync(caseId, cancellationToken)
            : new CaseBundleResult.NotFound();
        switch (result)
        {
            case CaseBundleResult.NotFound:
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.AccessDenied, subject: caseId.ToString(), detail: "bundle"), cancellationToken);
                return NotFound();

            case CaseBundleResult.Blocked blocked:
                await AlertAsync(caseId, blocked.Reference, blocked.File.Id, blocked.Problem, cancellationToken);
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("Blocked", blocked.File.FileName);

            case CaseBundleResult.Ready ready:
                await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.BundleDownloaded, caseId, ready.FileName), cancellationToken);
                var disposition = new ContentDispositionHeaderValue("attachment");
                disposition.SetHttpFileName(ready.FileName);
                Response.Headers.ContentDisposition = disposition.ToString();
                Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
                Response.ContentType = "application/zip";
                try
                {
                    await ready.WriteToAsync(Response.Body, cancellationToken);
                }
                catch (EvidenceIntegrityException exception)
                {
                    // Recorded before the client learns of it. Headers and earlier files are gone;
                    // cutting the connection leaves the client a truncated archive with no
                    // manifest or signature, which no tool accepts.
                    await AlertAsync(caseId, ready.Reference, exception.File.Id, exception.Problem, CancellationToken.None);
                    HttpContext.Abort();
                }

                return new EmptyResult();

            default:
                throw new InvalidOperationException($"Unexpected result {result.GetType().Name}.");
        }
    }

    private async Task AlertAsync(Guid caseId, string reference, Guid evidenceId, string problem, CancellationToken cancellationToken)
    {
        var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
        try
        {
            await alert.RaiseAsync(
                new EvidenceIntegrityFailure(caseId, reference, evidenceId, problem, HttpContext.StaffEvent(AuditActions.EvidenceTampered, caseId)),
                EmailComposer.Languages.Contains(language) ? language : "en",
                cancellationToken);
        }
        catch (Exception exception) when (exception is EmailDeliveryException or IOException)
        {
            // Recorded in the audit trail already; the email is the second channel, not the record.
            logger.LogError(exception, "Could not email supervisors about evidence {EvidenceId} of case {CaseId}", evidenceId, caseId);
        }
    }
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
