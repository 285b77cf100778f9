using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Portal.Core.Features.Accounts;
using Portal.Web.Security;

namespace Portal.Web.Accounts;

/// <summary>
/// The browser's half of <see cref="KnownDevices"/>: for each member who completed a sign-in with
/// both factors here (a few at most, for a shared office computer), their id and this browser's
/// secret, encrypted and signed with Data Protection. It outlives sign-out, which is why signing
/// out no longer asks the browser to clear every cookie (docs/decisions/0021).
/// </summary>
public sealed class KnownDeviceCookie(IDataProtectionProvider protection, PortalCookies cookies, TimeProvider clock)
{
    private const int MaxMembers = 5;
    private readonly IDataProtector protector = protection.CreateProtector("Portal.KnownDevice.v1");

    public string? SecretFor(HttpContext context, string userId) =>
        Read(context).Where(e => e.UserId == userId).Select(e => e.Secret).FirstOrDefault();

    public void Save(HttpContext context, string userId, string secret)
    {
        var entries = Read(context).Where(e => e.UserId != userId).Prepend((UserId: userId, Secret: secret)).Take(MaxMembers);
        var payload = string.Join('\n', entries.Select(e => e.UserId + " " + e.Secret));
        context.Response.Cookies.Append(cookies.Name(PortalCookies.KnownDevice), protector.Protect(payload), new CookieOptions
        {
            HttpOnly = true,
            Secure = cookies.HttpsOnly || context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
            Expires = clock.GetUtcNow() + KnownDevices.Lifetime,
        });
    }

    private List<(string UserId, string Secret)> Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(cookies.Name(PortalCookies.KnownDevice), out var value) || string.IsNullOrEmpty(value))
        {
            return [];
        }

        string payload;
        try
        {
            payload = protector.Unprotect(value);
        }
        catch (CryptographicException)
        {
            // Altered, or protected with a key since retired: a browser like any stranger's.
            return [];
        }

        return [.. payload.Split('\n')
            .Select(line => line.Split(' '))
            .Where(parts => parts is [{ Length: > 0 }, { Length: > 0 }])
            .Select(parts => (parts[0], parts[1]))];
    }
}
