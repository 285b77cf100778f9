using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Partners;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

public sealed record StaffUserRow(string Id, string Email, string Name, IReadOnlyList<string> Roles, bool Disabled, bool TwoFactor, long? PartnerId = null);

public sealed record StaffUsersViewModel(IReadOnlyList<StaffUserRow> Users, IReadOnlyList<(long Id, string Name)> Partners);

/// <summary>
/// Admins assign roles and disable accounts. Disabling locks the account and changes its
/// security stamp, and stamps are checked on every request, so a disabled member's open session
/// is refused on its next request. Counsellors and police are linked here to their partner
/// organisation. A member who lost their phone and recovery codes has two-factor sign-in reset here.
/// A change Identity refuses is shown as an error and recorded nowhere.
/// </summary>
[Authorize(Policy = StaffPolicies.Admin)]
[Route("staff/users")]
public sealed class StaffUsersController(UserManager<StaffUser> users, PartnersQuery partners, AdministerStaffHandler administer, IStringLocalizer<SharedResource> localizer) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) => View(await ModelAsync(cancellationToken));

    /// <summary>The partner organisation whose referrals a counsellor or police officer sees; empty for none.</summary>
    [HttpPost("{userId}/partner")]
    public async Task<IActionResult> SetPartner(string userId, [FromForm] long? partnerId, CancellationToken cancellationToken) =>
        await AnswerAsync(
            ModelState.IsValid
                ? await administer.SetPartnerAsync(HttpContext.StaffActor(), userId, partnerId, cancellationToken)
                : new StaffChangeResult(StaffChangeOutcome.Refused, [StaffChangeResult.PartnerUnknown]), // not a number: never read as "none"
            cancellationToken);

    [HttpPost("{userId}/roles")]
    public async Task<IActionResult> SetRoles(string userId, [FromForm] string[] roles, CancellationToken cancellationToken) =>
        await AnswerAsync(await administer.SetRolesAsync(HttpContext.StaffActor(), userId, roles, cancellationToken), cancellationToken);

    [HttpPost("{userId}/disable")]
    public async Task<IActionResult> Disable(string userId, CancellationToken cancellationToken) =>
        await AnswerAsync(await administer.SetDisabledAsync(HttpContext.StaffActor(), userId, true, cancellationToken), cancellationToken);

    [HttpPost("{userId}/enable")]
    public async Task<IActionResult> Enable(string userId, CancellationToken cancellationToken) =>
        await AnswerAsync(await administer.SetDisabledAsync(HttpContext.StaffActor(), userId, false, cancellationToken), cancellationToken);

    /// <summary>A member who lost their phone and recovery codes sets up two-factor sign-in again at their next sign-in.</summary>
    [HttpPost("{userId}/two-factor/reset")]
    public async Task<IActionResult> ResetTwoFactor(string userId, CancellationToken cancellationToken) =>
        await AnswerAsync(await administer.ResetTwoFactorAsync(HttpContext.StaffActor(), userId, cancellationToken), cancellationToken);

    private static bool IsDisabled(StaffUser user) => user.LockoutEnd == StaffUser.DisabledUntil;

    private async Task<IActionResult> AnswerAsync(StaffChangeResult result, CancellationToken cancellationToken)
    {
        switch (result.Outcome)
        {
            case StaffChangeOutcome.Changed:
                return LocalRedirect("/staff/users");
            case StaffChangeOutcome.Refused:
                var reason = result.RefusedBecause.Contains(StaffChangeResult.RoleRequired) ? localizer["Users.Refused.RoleRequired"].Value
                    : result.RefusedBecause.Contains(StaffChangeResult.PartnerUnknown) ? localizer["Users.Refused.PartnerUnknown"].Value
                    : result.RefusedBecause.Contains(nameof(IdentityErrorDescriber.ConcurrencyFailure)) ? localizer["Users.Refused.Concurrency"].Value
                    : string.Format(CultureInfo.CurrentCulture, localizer["Users.Refused.Invalid"], string.Join(", ", result.RefusedBecause));
                ModelState.AddModelError("", string.Format(CultureInfo.CurrentCulture, localizer["Users.Refused"], reason));
                Response.StatusCode = StatusCodes.Status409Conflict;
                return View("Index", await ModelAsync(cancellationToken));
            default:
                return NotFound();
        }
    }

    private async Task<StaffUsersViewModel> ModelAsync(CancellationToken cancellationToken)
    {
        var all = await users.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var rows = new List<StaffUserRow>();
        foreach (var user in all)
        {
            rows.Add(new StaffUserRow(user.Id, user.Email ?? "", user.DisplayName, [.. await users.GetRolesAsync(user)], IsDisabled(user), user.TwoFactorEnabled, user.PartnerId));
        }

        var organisations = (await partners.ListAsync(cancellationToken)).Select(p => (p.Partner.Id, p.Partner.Name)).ToList();
        return new StaffUsersViewModel(rows, organisations);
    }
}
