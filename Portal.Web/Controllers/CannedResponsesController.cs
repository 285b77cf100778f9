using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Portal.Core.Features;
using Portal.Core.Features.Messaging;
using Portal.Web.Accounts;
using Portal.Web.Forms;

namespace Portal.Web.Controllers;

public sealed record CannedResponseForm(int? Id, SaveCannedResponse Response);

public sealed record CannedResponsesViewModel(IReadOnlyList<CannedResponseView> Responses, bool Saved, bool Deleted = false);

/// <summary>Supervisors keep the replies volunteers can start a message from, in all three languages.</summary>
[Authorize(Policy = StaffPolicies.SupervisorOrAdmin)]
[Route("staff/canned-responses")]
public sealed class CannedResponsesController(
    CannedResponsesHandler responses,
    IValidator<SaveCannedResponse> validator,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? saved, [FromQuery] string? deleted, CancellationToken cancellationToken)
    {
        return View(new CannedResponsesViewModel(await responses.ListAsync(cancellationToken), saved is not null, deleted is not null));
    }

    [HttpGet("new")]
    public IActionResult New() => View("Edit", new CannedResponseForm(null, new SaveCannedResponse()));

    [HttpPost("new")]
    public Task<IActionResult> New([FromForm] SaveCannedResponse request, CancellationToken cancellationToken) =>
        SaveAsync(null, request, cancellationToken);

    [HttpGet("{id:int}")]
    public async Task<IActionResult> Edit(int id, CancellationToken cancellationToken)
    {
        var found = await responses.FindAsync(id, cancellationToken);
        return found is null
            ? NotFound()
            : View(new CannedResponseForm(id, new SaveCannedResponse { Title = found.Title, BodyEn = found.BodyEn, BodyFi = found.BodyFi, BodySv = found.BodySv }));
    }

    [HttpPost("{id:int}")]
    public Task<IActionResult> Edit(int id, [FromForm] SaveCannedResponse request, CancellationToken cancellationToken) =>
        SaveAsync(id, request, cancellationToken);

    [HttpPost("{id:int}/delete")]
    public async Task<IActionResult> Delete(int id, CancellationToken cancellationToken)
    {
        if (!await responses.DeleteAsync(id, HttpContext.StaffActor(), cancellationToken))
        {
            return NotFound();
        }

        return LocalRedirect(PortalRoutes.StaffCannedResponses + "?deleted=1");
    }

    private async Task<IActionResult> SaveAsync(int? id, SaveCannedResponse request, CancellationToken cancellationToken)
    {
        (await validator.ValidateAsync(request, cancellationToken)).AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Edit", new CannedResponseForm(id, request));
        }

        var (found, _) = await responses.SaveAsync(id, request, HttpContext.StaffActor(), cancellationToken);
        if (!found)
        {
            // Deleted in another tab: the words typed are kept, in the form for a new reply.
            ModelState.AddModelError("", localizer["Canned.Gone"]);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return View("Edit", new CannedResponseForm(null, request));
        }

        return LocalRedirect(PortalRoutes.StaffCannedResponses + "?saved=1");
    }
}
