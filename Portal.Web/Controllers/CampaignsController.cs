using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Campaigns;
using Portal.Web.Accounts;
using Portal.Web.Audit;

namespace Portal.Web.Controllers;

public sealed record CampaignListViewModel(CampaignList List, bool MayRecompute, bool Updated);

public sealed record CampaignViewModel(CampaignDetails Campaign, bool LinksToCases);

/// <summary>
/// Campaigns for supervisors and police. What a viewer may count is decided in Portal.Core
/// (CampaignAccess); every look is audited, and a campaign a viewer may not see answers 404,
/// audited as a denial, exactly like one that does not exist.
/// </summary>
[Authorize(Policy = StaffPolicies.Campaigns)]
[Route("staff/campaigns")]
public sealed class CampaignsController(CampaignQueries campaigns, RecomputeCampaignsHandler recompute, AuditTrail audit) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] bool updated, CancellationToken cancellationToken)
    {
        var list = await campaigns.ListAsync(Viewer, cancellationToken);
        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.CampaignsListed, detail: list.Items.Count.ToString(CultureInfo.InvariantCulture)), cancellationToken);
        return View(new CampaignListViewModel(list, User.IsInRole(StaffRoles.Supervisor), updated));
    }

    [HttpGet("{campaignId:guid}")]
    public async Task<IActionResult> Show(Guid campaignId, CancellationToken cancellationToken)
    {
        var found = await campaigns.GetAsync(campaignId, Viewer, cancellationToken);
        if (found.MergedInto is { } merged)
        {
            return LocalRedirect($"/staff/campaigns/{merged}");
        }

        if (found.Details is not { } details)
        {
            await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.AccessDenied, subject: campaignId.ToString(), detail: "campaign"), cancellationToken);
            return NotFound();
        }

        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.CampaignViewed, subject: campaignId.ToString(), detail: "v" + details.Version.ToString(CultureInfo.InvariantCulture)), cancellationToken);
        return View(new CampaignViewModel(details, User.IsInRole(StaffRoles.Supervisor)));
    }

    /// <summary>On demand; a recurring job will call the same handler.</summary>
    [Authorize(Roles = StaffRoles.Supervisor)]
    [HttpPost("recompute")]
    public async Task<IActionResult> Recompute(CancellationToken cancellationToken)
    {
        var result = await recompute.HandleAsync(cancellationToken);
        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.CampaignsRecomputed, detail: $"{result.Campaigns} campaigns, {result.Created} new, {result.Changed} changed, {result.Retired} retired"), cancellationToken);
        return LocalRedirect("/staff/campaigns?updated=true");
    }

    private CampaignViewer Viewer => CampaignViewer.From(User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", User.IsInRole);
}
