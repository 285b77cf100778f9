using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// Browsers in which a staff member completed a sign-in with password and authenticator code.
/// Such a browser gets past a lockout that strangers' wrong passwords caused, with the password
/// and a code as always (docs/decisions/0021). The browser holds a random secret; the database
/// holds only its SHA-256, as an Identity user token (no table of its own), with the browser's
/// wrong guesses since its last good sign-in: the fifth forgets it.
/// </summary>
public sealed class KnownDevices(PortalDbContext db, TimeProvider clock)
{
    public const string TokenProvider = "Portal.KnownDevice";

    /// <summary>Wrong passwords or codes a known browser may make before it is forgotten, as many as a stranger gets before a lockout.</summary>
    public const int MaxFailures = 5;

    /// <summary>Browsers kept per member; signing in on another forgets the one least recently used.</summary>
    public const int MaxPerMember = 10;

    /// <summary>A browser not used for a good sign-in this long is a stranger again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    public async Task<bool> IsKnownAsync(string userId, string secret, CancellationToken cancellationToken)
    {
        var hash = Hash(secret);
        var value = await Devices(userId).Where(t => t.Name == hash).Select(t => t.Value).FirstOrDefaultAsync(cancellationToken);
        return Parse(value) is { } device && device.Failures < MaxFailures && device.LastSignIn + Lifetime > clock.GetUtcNow();
    }

    /// <summary>
    /// After a sign-in with both factors: the browser's secret, a new one if it brought none or
    /// one that is not (or no longer) known, with its wrong guesses cleared.
    /// </summary>
    public async Task<string> RememberAsync(string userId, string? secret, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cleared = Format(0, now);
        if (secret is not null)
        {
            var hash = Hash(secret);
            if (await Devices(userId).Where(t => t.Name == hash).ExecuteUpdateAsync(t => t.SetProperty(x => x.Value, cleared), cancellationToken) == 1)
            {
                return secret;
            }
        }

        var fresh = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        db.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = TokenProvider, Name = Hash(fresh), Value = cleared });
        await db.SaveChangesAsync(cancellationToken);

        var kept = await Devices(userId).Select(t => new { t.Name, t.Value }).ToListAsync(cancellationToken);
        var stale = kept
            .Select(t => (t.Name, Device: Parse(t.Value)))
            .OrderByDescending(t => t.Device?.LastSignIn ?? DateTimeOffset.MinValue)
            .Where((t, index) => index >= MaxPerMember || t.Device is null || t.Device.Value.LastSignIn + Lifetime <= now)
            .Select(t => t.Name)
            .ToList();
        if (stale.Count > 0)
        {
            await Devices(userId).Where(t => stale.Contains(t.Name)).ExecuteDeleteAsync(cancellationToken);
        }

        return fresh;
    }

    /// <summary>A wrong password or code from the browser: counted, and at <see cref="MaxFailures"/> the browser is forgotten.</summary>
    public async Task RecordFailureAsync(string userId, string secret, CancellationToken cancellationToken)
    {
        var hash = Hash(secret);
        var value = await Devices(userId).Where(t => t.Name == hash).Select(t => t.Value).FirstOrDefaultAsync(cancellationToken);
        if (Parse(value) is not { } device)
        {
            return;
        }

        // Conditional on the value read, so two wrong guesses at once cannot count as one.
        var failures = device.Failures + 1;
        var counted = Format(failures, device.LastSignIn);
        var current = Devices(userId).Where(t => t.Name == hash && t.Value == value);
        var changed = failures >= MaxFailures
            ? await current.ExecuteDeleteAsync(cancellationToken)
            : await current.ExecuteUpdateAsync(t => t.SetProperty(x => x.Value, counted), cancellationToken);
        if (changed == 0)
        {
            // Another wrong guess was counted in between: count this one on top of it.
            await RecordFailureAsync(userId, secret, cancellationToken);
        }
    }

    private IQueryable<IdentityUserToken<string>> Devices(string userId) =>
        db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == TokenProvider);

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Format(int failures, DateTimeOffset lastSignIn) =>
        string.Create(CultureInfo.InvariantCulture, $"{failures}|{lastSignIn.ToUnixTimeSeconds()}");

    private static (int Failures, DateTimeOffset LastSignIn)? Parse(string? value) =>
        value?.Split('|') is [var failures, var seconds]
        && int.TryParse(failures, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
        && long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
            ? (count, DateTimeOffset.FromUnixTimeSeconds(unix))
            : null;
}
