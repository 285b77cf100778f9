using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Data;

namespace Portal.Core.Features.Accounts;

/// <summary>RFC 6238 time-based codes: HMAC-SHA-1, 6 digits, 30-second steps (what authenticator apps use).</summary>
public static class Totp
{
    public const int Digits = 6;
    public const int StepSeconds = 30;

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    public static string Code(byte[] secret, long step, int digits = Digits)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
        // RFC 6238 with SHA-1 is what authenticator apps implement; HMAC-SHA-1 remains sound as a MAC.
#pragma warning disable CA5350
        HMACSHA1.HashData(secret, counter, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0F;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash.Slice(offset, 4)) & 0x7FFFFFFF;
        return (binary % (int)Math.Pow(10, digits)).ToString(new string('0', digits), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The step whose code matches, within one step either side of now and strictly after the
    /// last step used, or null. Spaces and dashes in the typed code are ignored.
    /// </summary>
    public static long? Match(byte[] secret, string? typed, DateTimeOffset now, long? lastUsedStep)
    {
        var code = new string((typed ?? "").Where(char.IsAsciiDigit).ToArray());
        if (code.Length != Digits)
        {
            return null;
        }

        var current = StepAt(now);
        for (var step = current - 1; step <= current + 1; step++)
        {
            if (step > (lastUsedStep ?? long.MinValue)
                && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(secret, step)), System.Text.Encoding.ASCII.GetBytes(code)))
            {
                return step;
            }
        }

        return null;
    }

    /// <summary>RFC 4648 base32, as authenticator keys are written (case and spaces ignored).</summary>
    public static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant())
        {
            if (c is ' ' or '-' or '=')
            {
                continue;
            }

            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException("Not a base32 key.");
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. output];
    }
}

/// <summary>
/// Identity's authenticator provider, replaced: it accepts a code once only (the step is stored
/// on the user and the update is guarded by the concurrency stamp, so two requests racing with
/// the same code cannot both win) and only within one step either side, where the default
/// accepts reuse and a wider window.
/// </summary>
public sealed class OneTimeAuthenticatorTokenProvider(TimeProvider clock) : IUserTwoFactorTokenProvider<StaffUser>
{
    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<StaffUser> manager, StaffUser user) =>
        !string.IsNullOrEmpty(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>Codes come from the user's app, never from the server.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<StaffUser> manager, StaffUser user) => Task.FromResult("");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<StaffUser> manager, StaffUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var step = Totp.Match(Totp.FromBase32(key), token, clock.GetUtcNow(), user.LastTotpStep);
        if (step is null)
        {
            return false;
        }

        user.LastTotpStep = step;
        return (await manager.UpdateAsync(user)).Succeeded;
    }
}
