using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Partners;
using Portal.Web.Accounts;
using Portal.Web.Audit;

namespace Portal.Web.Controllers;

public sealed record StaffUserRow(string Id, string Email, string Name, IReadOnlyList<string> Roles, bool Disabled, bool TwoFactor, long? PartnerId = null);

public sealed record StaffUsersViewModel(IReadOnlyList<StaffUserRow> Users, IReadOnlyList<(long Id, string Name)> Partners);

/// <summary>
/// Admins assign roles and disable accounts. Disabling locks the account and changes its
/// security stamp, and stamps are checked on every request, so a disabled member's open session
/// is refused on its next request. Counsellors and police are linked here to their partner organisation.
/// </summary>
[Authorize(Policy = StaffPolicies.Admin)]
[Route("staff/users")]
public sealed class StaffUsersController(UserManager<StaffUser> users, PartnersQuery partners, AuditTrail audit) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var all = await users.Users.OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var rows = new List<StaffUserRow>();
        foreach (var user in all)
        {
            rows.Add(new StaffUserRow(user.Id, user.Email ?? "", user.DisplayName, [.. await users.GetRolesAsync(user)], IsDisabled(user), user.TwoFactorEnabled, user.PartnerId));
        }

        var organisations = (await partners.ListAsync(cancellationToken)).Select(p => (p.Partner.Id, p.Partner.Name)).ToList();
        return View(new StaffUsersViewModel(rows, organisations));
    }

    /// <summary>The partner organisation whose referrals a counsellor or police officer sees; empty for none.</summary>
    [HttpPost("{userId}/partner")]
    public async Task<IActionResult> SetPartner(string userId, [FromForm] long? partnerId, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || (partnerId is { } id && await partners.FindAsync(id, cancellationToken) is null))
        {
            return NotFound();
        }

        user.PartnerId = partnerId;
        await users.UpdateAsync(user);
        await users.UpdateSecurityStampAsync(user);
        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.StaffPartnerSet, subject: user.Id, detail: partnerId is null ? "none" : $"partner {partnerId}"), cancellationToken);
        return LocalRedirect("/staff/users");
    }

    [HttpPost("{userId}/roles")]
    public async Task<IActionResult> SetRoles(string userId, [FromForm] string[] roles, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return NotFound();
        }

        var wanted = roles.Where(StaffRoles.All.Contains).ToHashSet(StringComparer.Ordinal);
        if (user.Id == CurrentUserId && !wanted.Contains(StaffRoles.Admin))
        {
            // An admin cannot take away their own admin role and lock everyone out.
            wanted.Add(StaffRoles.Admin);
        }

        var current = await users.GetRolesAsync(user);
        await users.RemoveFromRolesAsync(user, current.Except(wanted));
        await users.AddToRolesAsync(user, wanted.Except(current));
        await users.UpdateSecurityStampAsync(user);
        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.RolesChanged, subject: user.Id, detail: string.Join(",", wanted.Order(StringComparer.Ordinal))), cancellationToken);
        return LocalRedirect("/staff/users");
    }

    [HttpPost("{userId}/disable")]
    public async Task<IActionResult> Disable(string userId, CancellationToken cancellationToken) => await SetDisabledAsync(userId, true, cancellationToken);

    [HttpPost("{userId}/enable")]
    public async Task<IActionResult> Enable(string userId, CancellationToken cancellationToken) => await SetDisabledAsync(userId, false, cancellationToken);

    private string CurrentUserId => User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    private static bool IsDisabled(StaffUser user) => user.LockoutEnd == StaffUser.DisabledUntil;

    private async Task<IActionResult> SetDisabledAsync(string userId, bool disabled, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || user.Id == CurrentUserId)
        {
            return NotFound();
        }

        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, disabled ? StaffUser.DisabledUntil : null);
        await users.UpdateSecurityStampAsync(user);
        await audit.AppendAsync(HttpContext.StaffEvent(disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, subject: user.Id), cancellationToken);
        return LocalRedirect("/staff/users");
    }
}
