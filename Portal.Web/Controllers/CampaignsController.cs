using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Data;
using Portal.Core.Features;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Routing;
using Portal.Core.Features.Messaging;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

public sealed record CampaignListViewModel(CampaignList List, bool MayRecompute, bool Updated);

public sealed record CampaignViewModel(CampaignDetails Campaign, bool LinksToCases, CampaignExportState? Export = null, bool Approved = false, string? ExportMessageKey = null)
{
    /// <summary>Supervisors: the prepared replies a campaign can be answered with, and its recent actions.</summary>
    public IReadOnlyList<CannedResponseView> Replies { get; init; } = [];

    public IReadOnlyList<CampaignActionSummary> Actions { get; init; } = [];

    /// <summary>Why an action asked for on this page could not be previewed.</summary>
    public string? ActionMessageKey { get; init; }
}

/// <summary>A campaign action as the forms send it (kind, and the reply, route or note it needs).</summary>
public sealed record CampaignActionForm(CampaignActionKind? Kind, int? CannedResponseId, TriageRoute? Route, string? Note)
{
    public CampaignActionRequest ToRequest() => new(Kind ?? CampaignActionKind.Reply, CannedResponseId, Route, Note);
}

public sealed record CampaignActionPreviewViewModel(CampaignActionPreview Preview, CampaignActionProblem Problem)
{
    public string? ProblemKey => CampaignsController.ProblemKey(Problem);

    /// <summary>A preview shown again because the campaign changed is the new one, and can be confirmed as it stands.</summary>
    public bool MayConfirm => Preview.WillApply > 0 && Problem is CampaignActionProblem.None or CampaignActionProblem.Changed;
}

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
    CampaignBundleHandler bundles,
    PreviewCampaignActionHandler previewAction,
    StartCampaignActionHandler startAction,
    CampaignActionProgressQuery actions,
    CannedResponsesHandler replies,
    PartnerMembershipQuery membership) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] bool updated, CancellationToken cancellationToken)
    {
        var list = await campaigns.ViewListAsync(await ViewerAsync(cancellationToken), HttpContext.StaffActor(), cancellationToken);
        return View(new CampaignListViewModel(list, User.IsInRole(StaffRoles.Supervisor), updated));
    }

    [HttpGet("{campaignId:guid}")]
    public async Task<IActionResult> Show(Guid campaignId, [FromQuery] bool approved, CancellationToken cancellationToken)
    {
        var found = await campaigns.ViewAsync(campaignId, await ViewerAsync(cancellationToken), HttpContext.StaffActor(), cancellationToken);
        if (found.MergedInto is { } merged)
        {
            return LocalRedirect(PortalRoutes.StaffCampaign(merged));
        }

        if (found.Details is not { } details)
        {
            return NotFound();
        }

        return View(await ShowModelAsync(details, approved, null, null, cancellationToken));
    }

    /// <summary>
    /// What an action on the whole campaign would do, before it does anything. A request that
    /// cannot be previewed (no reply chosen, no route, no note) shows the campaign again with why.
    /// </summary>
    [Authorize(Roles = StaffRoles.Supervisor)]
    [HttpPost("{campaignId:guid}/actions/preview")]
    public async Task<IActionResult> PreviewAction(Guid campaignId, [FromForm] CampaignActionForm form, CancellationToken cancellationToken)
    {
        if (form.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            return await RefusedAsync(campaignId, CampaignActionProblem.UnknownKind, cancellationToken);
        }

        var result = await previewAction.HandleAsync(campaignId, form.ToRequest(), HttpContext.StaffActor(), cancellationToken);
        return result switch
        {
            { Problem: CampaignActionProblem.NotFound } => NotFound(),
            { Preview: { } preview } => View("Preview", new CampaignActionPreviewViewModel(preview, result.Problem)),
            _ => await RefusedAsync(campaignId, result.Problem, cancellationToken),
        };
    }

    /// <summary>
    /// The supervisor confirms what the preview showed: the action is recorded and runs in
    /// batches while the supervisor follows its progress. If the campaign changed since the
    /// preview, or another action is running, nothing starts and the preview is shown again.
    /// </summary>
    [Authorize(Roles = StaffRoles.Supervisor)]
    [HttpPost("{campaignId:guid}/actions")]
    public async Task<IActionResult> StartAction(Guid campaignId, [FromForm] CampaignActionForm form, [FromForm] int version, CancellationToken cancellationToken)
    {
        if (form.Kind is not { } kind || !Enum.IsDefined(kind))
        {
            return await RefusedAsync(campaignId, CampaignActionProblem.UnknownKind, cancellationToken);
        }

        var started = await startAction.HandleAsync(campaignId, version, form.ToRequest(), HttpContext.StaffActor(), cancellationToken);
        if (started.Problem == CampaignActionProblem.NotFound)
        {
            return NotFound();
        }

        if (started.ActionId is { } actionId)
        {
            return LocalRedirect(PortalRoutes.StaffCampaignAction(campaignId, actionId));
        }

        var again = await previewAction.HandleAsync(campaignId, form.ToRequest(), HttpContext.StaffActor(), cancellationToken);
        if (again.Preview is not { } preview)
        {
            return again.Problem == CampaignActionProblem.NotFound ? NotFound() : await RefusedAsync(campaignId, again.Problem, cancellationToken);
        }

        Response.StatusCode = StatusCodes.Status409Conflict;
        return View("Preview", new CampaignActionPreviewViewModel(preview, again.Problem == CampaignActionProblem.None ? started.Problem : again.Problem));
    }

    /// <summary>Where an action stands; reloaded by the supervisor while it runs.</summary>
    [Authorize(Roles = StaffRoles.Supervisor)]
    [HttpGet("{campaignId:guid}/actions/{actionId:long}")]
    public async Task<IActionResult> ActionProgress(Guid campaignId, long actionId, CancellationToken cancellationToken)
    {
        var progress = await actions.HandleAsync(campaignId, actionId, cancellationToken);
        return progress is null ? NotFound() : View("Action", progress);
    }

    public static string? ProblemKey(CampaignActionProblem problem) =>
        problem == CampaignActionProblem.None ? null : "Surge.Problem." + problem;

    private async Task<IActionResult> RefusedAsync(Guid campaignId, CampaignActionProblem problem, CancellationToken cancellationToken)
    {
        var found = await campaigns.GetAsync(campaignId, await ViewerAsync(cancellationToken), cancellationToken);
        if (found.Details is not { } details)
        {
            return NotFound();
        }

        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Show", await ShowModelAsync(details, false, null, ProblemKey(problem), cancellationToken));
    }

    private async Task<CampaignViewModel> ShowModelAsync(CampaignDetails details, bool approved, string? exportMessageKey, string? actionMessageKey, CancellationToken cancellationToken)
    {
        var supervisor = User.IsInRole(StaffRoles.Supervisor);
        return new CampaignViewModel(details, supervisor, await bundles.StateAsync(details.Id, cancellationToken), approved, exportMessageKey)
        {
            Replies = supervisor ? await replies.ListAsync(cancellationToken) : [],
            Actions = supervisor ? await actions.ForCampaignAsync(details.Id, cancellationToken) : [],
            ActionMessageKey = actionMessageKey,
        };
    }

    /// <summary>
    /// The first of two people: a supervisor releases the campaign, as it is now, to police: the
    /// consenting cases the page showed them (<paramref name="cases"/>). If those changed
    /// meanwhile, the page is shown again with the cases as they are now.
    /// </summary>
    [Authorize(Roles = StaffRoles.Supervisor)]
    [HttpPost("{campaignId:guid}/approve-export")]
    public async Task<IActionResult> ApproveExport(Guid campaignId, [FromForm] string? cases, CancellationToken cancellationToken)
    {
        var outcome = await approve.HandleAsync(campaignId, cases, HttpContext.StaffActor(), cancellationToken);
        if (outcome == CampaignApprovalOutcome.NotFound)
        {
            return NotFound();
        }

        if (outcome is CampaignApprovalOutcome.NothingToExport or CampaignApprovalOutcome.Changed)
        {
            var found = await campaigns.GetAsync(campaignId, await ViewerAsync(cancellationToken), cancellationToken);
            if (found.Details is not { } details)
            {
                return NotFound();
            }

            Response.StatusCode = StatusCodes.Status409Conflict;
            return View("Show", await ShowModelAsync(details, false, outcome == CampaignApprovalOutcome.Changed ? "CampaignBundle.Changed" : "CampaignBundle.NothingToExport", null, cancellationToken));
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

    private Task<CampaignViewer> ViewerAsync(CancellationToken cancellationToken) =>
        CampaignViewer.ForAsync(User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", User.IsInRole, membership, cancellationToken);
}
