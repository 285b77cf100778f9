using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Web.Accounts;

/// <summary>
/// A password hash that matches nothing, made once with the portal's hasher settings. A sign-in
/// with no account hash to check (an unknown address, a locked or disabled account) checks this
/// one instead, so every failed sign-in does the same hash work and takes the same time.
/// </summary>
public sealed class DecoyPasswordHash(IOptions<PasswordHasherOptions> options)
{
    private static readonly StaffUser Nobody = new();

    private readonly Lazy<string> hash = new(() =>
        new PasswordHasher<StaffUser>(options).HashPassword(Nobody, Convert.ToHexString(RandomNumberGenerator.GetBytes(32))));

    /// <summary>Checks the password against the decoy with the hasher the portal uses for real accounts; the answer is always no.</summary>
    public void Check(IPasswordHasher<StaffUser> hasher, string password) =>
        hasher.VerifyHashedPassword(Nobody, hash.Value, password);
}
