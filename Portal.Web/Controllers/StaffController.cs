using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Portal.Core.Features;
using Portal.Core.Features.Notices;
using Portal.Web.Accounts;
using Portal.Web.Forms;
using Portal.Web.Localization;

namespace Portal.Web.Controllers;

/// <summary>The staff area. Everything here needs a signed-in staff member (the fallback policy).</summary>
[Route("staff")]
public sealed class StaffController(
    IValidator<PostNotice> validator,
    PostNoticeHandler postNotice,
    ListNoticesHandler listNotices,
    WithdrawNoticeHandler withdrawNotice,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    [HttpGet("")]
    public IActionResult Index() => View();

    [Authorize(Policy = StaffPolicies.Admin)]
    [HttpGet("updates/new")]
    public async Task<IActionResult> NewNotice([FromQuery] bool withdrawn, CancellationToken cancellationToken)
    {
        ViewData["Withdrawn"] = withdrawn;
        return await NoticePageAsync(new PostNotice(), cancellationToken);
    }

    [Authorize(Policy = StaffPolicies.Admin)]
    [HttpPost("updates/new")]
    [ReplaysOnLanguageSwitch]
    public async Task<IActionResult> NewNotice([FromForm] PostNotice notice, CancellationToken cancellationToken)
    {
        (await validator.ValidateAsync(notice, cancellationToken)).AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return await NoticePageAsync(notice, cancellationToken);
        }

        if (LanguageReplay.IsReplay(Request))
        {
            return await NoticePageAsync(notice, cancellationToken);
        }

        await postNotice.HandleAsync(notice, HttpContext.StaffActor(), cancellationToken);
        return LocalRedirect(PortalRoutes.Updates);
    }

    /// <summary>
    /// Takes a notice off the updates page and the cases it concerned (a wrong date, say); its
    /// reminders stop. A second click lands where the first did.
    /// </summary>
    [Authorize(Policy = StaffPolicies.Admin)]
    [HttpPost("updates/{noticeId:guid}/withdraw")]
    public async Task<IActionResult> WithdrawNotice(Guid noticeId, CancellationToken cancellationToken)
    {
        await withdrawNotice.HandleAsync(noticeId, HttpContext.StaffActor(), cancellationToken);
        return LocalRedirect("/staff/updates/new?withdrawn=true#published");
    }

    private async Task<IActionResult> NoticePageAsync(PostNotice notice, CancellationToken cancellationToken)
    {
        ViewData["Published"] = await listNotices.PublishedAsync(50, cancellationToken);
        return View("NewNotice", notice);
    }
}
