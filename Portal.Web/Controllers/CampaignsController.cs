using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Data;
using Portal.Core.Features;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Campaigns;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

public sealed record CampaignListViewModel(CampaignList List, bool MayRecompute, bool Updated);

public sealed record CampaignViewModel(CampaignDetails Campaign, bool LinksToCases, CampaignExportState? Export = null, bool Approved = false, string? ExportMessageKey = null);

/// <summary>
/// Campaigns for supervisors and police. What a viewer may count is decided in Portal.Core
/// (CampaignAccess); every look is audited, and a campaign a viewer may not see answers 404,
/// audited as a denial, exactly like one that does not exist.
/// </summary>
[Authorize(Policy = StaffPolicies.Campaigns)]
[Route("staff/campaigns")]
public sealed class CampaignsController(
    CampaignQueries campaigns,
    RecomputeCampaignsHandler recompute,
    ApproveCampaignExportHandler approve,
    CampaignBundleHandler bundles) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] bool updated, CancellationToken cancellationToken)
    {
        var list = await campaigns.ViewListAsync(Viewer, HttpContext.StaffActor(), cancellationToken);
        return View(new CampaignListViewModel(list, User.IsInRole(StaffRoles.Supervisor), updated));
    }

    [HttpGet("{campaignId:guid}")]
    public async Task<IActionResult> Show(Guid campaignId, [FromQuery] bool approved, CancellationToken cancellationToken)
    {
        var found = await campaigns.ViewAsync(campaignId, Viewer, HttpContext.StaffActor(), cancellationToken);
        if (found.MergedInto is { } merged)
        {
            return LocalRedirect(PortalRoutes.StaffCampaign(merged));
        }

        if (found.Details is not { } details)
        {
            return NotFound();
        }

        return View(new CampaignViewModel(details, User.IsInRole(StaffRoles.Supervisor), await bundles.StateAsync(campaignId, cancellationToken), approved));
    }

    /// <summary>The first of two people: a supervisor releases the campaign, as it is now, to police.</summary>
    [Authorize(Roles = StaffRoles.Supervisor)]
    [HttpPost("{campaignId:guid}/approve-export")]
    public async Task<IActionResult> ApproveExport(Guid campaignId, CancellationToken cancellationToken)
    {
        var outcome = await approve.HandleAsync(campaignId, HttpContext.StaffActor(), cancellationToken);
        if (outcome == CampaignApprovalOutcome.NotFound)
        {
            return NotFound();
        }

        if (outcome == CampaignApprovalOutcome.NothingToExport)
        {
            var found = await campaigns.GetAsync(campaignId, Viewer, cancellationToken);
            if (found.Details is not { } details)
            {
                return NotFound();
            }

            Response.StatusCode = StatusCodes.Status409Conflict;
            return View("Show", new CampaignViewModel(details, true, await bundles.StateAsync(campaignId, cancellationToken), ExportMessageKey: "CampaignBundle.NothingToExport"));
        }

        return LocalRedirect(PortalRoutes.StaffCampaign(campaignId) + "?approved=true");
    }

    /// <summary>On demand; the recurring job calls the same handler.</summary>
    [Authorize(Roles = StaffRoles.Supervisor)]
    [HttpPost("recompute")]
    public async Task<IActionResult> Recompute(CancellationToken cancellationToken)
    {
        await recompute.HandleAsync(HttpContext.StaffActor(), cancellationToken);
        return LocalRedirect(PortalRoutes.StaffCampaigns + "?updated=true");
    }

    private CampaignViewer Viewer => CampaignViewer.From(User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", User.IsInRole);
}
