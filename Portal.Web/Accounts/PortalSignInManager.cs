using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Web.Accounts;

/// <summary>
/// Identity's sign-in with two changes (docs/decisions/0021):
/// <list type="bullet">
/// <item>Every failed password step checks one password hash: an unknown address, a locked or a
/// disabled account check a decoy hash, so the time of the answer does not tell whether an
/// account exists or what state it is in.</item>
/// <item>A lockout holds against strangers only: in a browser where the member completed password
/// and code before (a known device, <see cref="KnownDevices"/>), password and code still open an
/// account that strangers' wrong guesses locked, unless an admin disabled it. A known browser's
/// own wrong guesses are counted, and the fifth makes it a stranger.</item>
/// </list>
/// </summary>
public sealed class PortalSignInManager(
    UserManager<StaffUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<StaffUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<StaffUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<StaffUser> confirmation,
    KnownDevices devices,
    KnownDeviceCookie deviceCookie,
    DecoyPasswordHash decoy)
    : SignInManager<StaffUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private readonly Dictionary<string, bool> knownDevice = new(StringComparer.Ordinal);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            decoy.Check(UserManager.PasswordHasher, password);
            return SignInResult.Failed;
        }

        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task<SignInResult> CheckPasswordSignInAsync(StaffUser user, string password, bool lockoutOnFailure)
    {
        if (await PreSignInCheck(user) is { } refused)
        {
            decoy.Check(UserManager.PasswordHasher, password);
            return refused;
        }

        var result = await base.CheckPasswordSignInAsync(user, password, lockoutOnFailure);
        if (!result.Succeeded && lockoutOnFailure)
        {
            await RecordDeviceFailureAsync(user);
        }

        return result;
    }

    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient) =>
        await KeepTrackOfDeviceAsync(await GetTwoFactorAuthenticationUserAsync(), await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient));

    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode) =>
        await KeepTrackOfDeviceAsync(await GetTwoFactorAuthenticationUserAsync(), await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode));

    /// <summary>
    /// Makes this browser a known device of the member, who has just proved both factors (at
    /// sign-in or when enrolling), or refreshes it and clears its wrong guesses.
    /// </summary>
    public async Task RememberDeviceAsync(StaffUser user)
    {
        var secret = await devices.RememberAsync(user.Id, deviceCookie.SecretFor(Context, user.Id), Context.RequestAborted);
        deviceCookie.Save(Context, user.Id, secret);
        knownDevice[user.Id] = true;
    }

    /// <summary>Locked out, unless this is a known device of a member with two-factor sign-in, whose account an admin has not disabled.</summary>
    protected override async Task<bool> IsLockedOut(StaffUser user) =>
        await base.IsLockedOut(user)
        && !(user.TwoFactorEnabled && user.LockoutEnd != StaffUser.DisabledUntil && await IsKnownDeviceAsync(user));

    private async Task<SignInResult> KeepTrackOfDeviceAsync(StaffUser? user, SignInResult result)
    {
        if (user is not null && result.Succeeded)
        {
            await RememberDeviceAsync(user);
        }
        else if (user is not null)
        {
            await RecordDeviceFailureAsync(user);
        }

        return result;
    }

    private async Task<bool> IsKnownDeviceAsync(StaffUser user)
    {
        if (!knownDevice.TryGetValue(user.Id, out var known))
        {
            known = deviceCookie.SecretFor(Context, user.Id) is { } secret && await devices.IsKnownAsync(user.Id, secret, Context.RequestAborted);
            knownDevice[user.Id] = known;
        }

        return known;
    }

    private async Task RecordDeviceFailureAsync(StaffUser user)
    {
        if (deviceCookie.SecretFor(Context, user.Id) is { } secret)
        {
            await devices.RecordFailureAsync(user.Id, secret, Context.RequestAborted);
            knownDevice.Remove(user.Id);
        }
    }
}
