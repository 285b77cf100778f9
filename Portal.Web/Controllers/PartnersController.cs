using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Portal.Core.Features;
using Portal.Core.Features.Partners;
using Portal.Web.Accounts;
using Portal.Web.Forms;

namespace Portal.Web.Controllers;

public sealed record PartnersViewModel(IReadOnlyList<PartnerRow> Partners, string? MessageKey, bool IsError = false);

public sealed record PartnerFormViewModel(long? PartnerId, SavePartner Form);

/// <summary>Admins keep the partner organisations routing chooses from. Every change is audited.</summary>
[Authorize(Policy = StaffPolicies.Admin)]
[Route("admin/partners")]
public sealed class PartnersController(
    PartnersQuery partners,
    SavePartnerHandler save,
    DeletePartnerHandler delete,
    IValidator<SavePartner> validator,
    IStringLocalizer<SharedResource> localizer) : Controller
{
    private static readonly string[] Messages = ["created", "updated", "deleted"];

    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? message, CancellationToken cancellationToken) =>
        View(new PartnersViewModel(await partners.ListAsync(cancellationToken), message is not null && Messages.Contains(message) ? "Partners.Message." + message : null));

    [HttpGet("new")]
    public IActionResult New() => View("Edit", new PartnerFormViewModel(null, new SavePartner { Active = true, AllRegions = true, Languages = ["fi", "sv", "en"], DailyCapacity = "20" }));

    [HttpPost("new")]
    public Task<IActionResult> Create([FromForm] SavePartner form, CancellationToken cancellationToken) => SaveAsync(null, form, cancellationToken);

    [HttpGet("{partnerId:long}")]
    public async Task<IActionResult> Edit(long partnerId, CancellationToken cancellationToken) =>
        await partners.FindAsync(partnerId, cancellationToken) is { } partner
            ? View(new PartnerFormViewModel(partnerId, SavePartner.From(partner)))
            : NotFound();

    [HttpPost("{partnerId:long}")]
    public Task<IActionResult> Update(long partnerId, [FromForm] SavePartner form, CancellationToken cancellationToken) => SaveAsync(partnerId, form, cancellationToken);

    [HttpPost("{partnerId:long}/delete")]
    public async Task<IActionResult> Delete(long partnerId, CancellationToken cancellationToken)
    {
        var outcome = await delete.HandleAsync(partnerId, HttpContext.StaffActor(), cancellationToken);
        if (outcome == DeletePartnerOutcome.NotFound)
        {
            return NotFound();
        }

        if (outcome is DeletePartnerOutcome.Deleted or DeletePartnerOutcome.AlreadyDeleted)
        {
            // A second click lands where the first did.
            return LocalRedirect(PortalRoutes.AdminPartners + "?message=deleted");
        }

        Response.StatusCode = StatusCodes.Status409Conflict;
        return View("Index", new PartnersViewModel(await partners.ListAsync(cancellationToken), "Partners.Message.HasHistory", IsError: true));
    }

    private async Task<IActionResult> SaveAsync(long? partnerId, SavePartner form, CancellationToken cancellationToken)
    {
        (await validator.ValidateAsync(form, cancellationToken)).AddTo(ModelState, localizer);
        if (ModelState.IsValid)
        {
            var result = await save.HandleAsync(partnerId, form, HttpContext.StaffActor(), cancellationToken);
            switch (result.Outcome)
            {
                case SavePartnerOutcome.NotFound:
                    // Deleted in another tab: what was typed is kept, in the form for a new partner.
                    ModelState.AddModelError("", localizer["Partner.Gone"]);
                    Response.StatusCode = StatusCodes.Status409Conflict;
                    return View("Edit", new PartnerFormViewModel(null, form));
                case SavePartnerOutcome.NameTaken:
                    ModelState.AddModelError(nameof(SavePartner.Name), localizer["Partner.Name.Taken"]);
                    break;
                case SavePartnerOutcome.Saved:
                    return LocalRedirect(PortalRoutes.AdminPartners + (partnerId is null ? "?message=created" : "?message=updated"));
            }
        }

        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return View("Edit", new PartnerFormViewModel(partnerId, form));
    }
}
