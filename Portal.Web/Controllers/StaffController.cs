using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Portal.Core.Features;
using Portal.Core.Features.Notices;
using Portal.Web.Accounts;
using Portal.Web.Forms;

namespace Portal.Web.Controllers;

/// <summary>The staff area. Everything here needs a signed-in staff member (the fallback policy).</summary>
[Route("staff")]
public sealed class StaffController(
    IValidator<PostNotice> validator,
    PostNoticeHandler postNotice,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    [HttpGet("")]
    public IActionResult Index() => View();

    [Authorize(Policy = StaffPolicies.Admin)]
    [HttpGet("updates/new")]
    public IActionResult NewNotice() => View(new PostNotice());

    [Authorize(Policy = StaffPolicies.Admin)]
    [HttpPost("updates/new")]
    public async Task<IActionResult> NewNotice([FromForm] PostNotice notice, CancellationToken cancellationToken)
    {
        (await validator.ValidateAsync(notice, cancellationToken)).AddTo(ModelState, localizer);
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View(notice);
        }

        await postNotice.HandleAsync(notice, HttpContext.StaffActor(), cancellationToken);
        return LocalRedirect(PortalRoutes.Updates);
    }
}
