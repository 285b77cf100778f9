using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Tests.Support;

/// <summary>A staff account as production has them: password plus an enrolled authenticator.</summary>
public sealed record StaffAccount(string Email, string AuthenticatorKey)
{
    /// <summary>The code the staff member's app shows at the portal's (test) time.</summary>
    public string CodeAt(DateTimeOffset time, int stepOffset = 0) =>
        Totp.Code(Totp.FromBase32(AuthenticatorKey), Totp.StepAt(time) + stepOffset);
}

public static class StaffAccounts
{
    public const string Password = "Test-Password-2026";

    /// <summary>A new account in the role, under <paramref name="email"/> or an address of its own.</summary>
    public static async Task<StaffAccount> CreateAsync(PortalFactory factory, string role, bool twoFactor = true, string? email = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@portal.test";
        var user = new StaffUser { UserName = email, Email = email, DisplayName = role, EmailConfirmed = true };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        await users.ResetAuthenticatorKeyAsync(user);
        var key = await users.GetAuthenticatorKeyAsync(user) ?? "";
        if (twoFactor)
        {
            Assert.True((await users.SetTwoFactorEnabledAsync(user, true)).Succeeded);
        }

        return new StaffAccount(email, key);
    }

    /// <summary>Signs in with password and the current authenticator code (or a step beside it).</summary>
    public static async Task<HttpClient> SignedInClientAsync(PortalFactory factory, string role) =>
        await SignInAsync(factory, await CreateAsync(factory, role));

    public static async Task<HttpClient> SignInAsync(PortalFactory factory, StaffAccount account, int stepOffset = 0)
    {
        var client = factory.CreatePortalClient();
        using var code = await SubmitSignInAsync(client, account, account.CodeAt(factory.Clock.GetUtcNow(), stepOffset));
        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
        return client;
    }

    /// <summary>The password step (which must ask for a code), then the code step; returns the code step's answer.</summary>
    public static async Task<HttpResponseMessage> SubmitSignInAsync(HttpClient client, StaffAccount account, string? code, string? recovery = null)
    {
        var page = await client.GetPageAsync("/account/sign-in");
        using (var password = await client.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = account.Email, ["Password"] = Password }))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
            Assert.StartsWith("/account/sign-in/code", password.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        var codePage = await client.GetPageAsync("/account/sign-in/code");
        return await client.SubmitAsync(codePage, "/account/sign-in/code", new Dictionary<string, string?> { ["Code"] = code, ["RecoveryCode"] = recovery });
    }
}
