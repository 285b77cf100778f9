using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Accounts;

/// <summary>Identity's own password hasher, with a count of the hashes it checks.</summary>
public sealed class CountingPasswordHasher(PasswordHasher<StaffUser> inner, PasswordHashCount count) : IPasswordHasher<StaffUser>
{
    public string HashPassword(StaffUser user, string password) => inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(StaffUser user, string hashedPassword, string providedPassword)
    {
        count.Add();
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public sealed class PasswordHashCount
{
    private int verified;

    public int Verified => Volatile.Read(ref verified);

    public void Add() => Interlocked.Increment(ref verified);
}

public sealed class CountingHasherPortalFactory : SqlitePortalFactory
{
    public PasswordHashCount Hashes { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddScoped<IPasswordHasher<StaffUser>>(provider =>
            new CountingPasswordHasher(new PasswordHasher<StaffUser>(provider.GetRequiredService<IOptions<PasswordHasherOptions>>()), Hashes)));
    }
}

/// <summary>
/// A failed sign-in costs the same password-hash work whether or not the address has an
/// account, and whatever state the account is in, so the time of the answer tells nothing.
/// </summary>
public sealed class SignInWorkTests(CountingHasherPortalFactory factory) : IClassFixture<CountingHasherPortalFactory>
{
    [Fact]
    public async Task UnknownAddress_DoesTheSamePasswordHashWork_AsAnExistingAccount()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);

        var (existing, existingAnswer) = await HashesForAsync(account.Email, "Wrong-Password-2026");
        var (unknown, unknownAnswer) = await HashesForAsync($"nobody-{Guid.NewGuid():N}@portal.test", "Wrong-Password-2026");

        Assert.Equal(1, existing);
        Assert.Equal(existing, unknown);
        Assert.Equal(existingAnswer, unknownAnswer);
    }

    [Fact]
    public async Task LockedOutAndDisabledAccounts_DoTheSamePasswordHashWork_AsAnyOther()
    {
        var locked = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await HashesForAsync(locked.Email, "Wrong-Password-2026");
        }

        var disabled = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        await RoutingSteps.WithDbAsync(factory, db => db.Users.Where(u => u.Email == disabled.Email)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, StaffUser.DisabledUntil)));
        var (unknown, unknownAnswer) = await HashesForAsync($"nobody-{Guid.NewGuid():N}@portal.test", StaffAccounts.Password);

        var (lockedWork, lockedAnswer) = await HashesForAsync(locked.Email, StaffAccounts.Password);
        var (disabledWork, disabledAnswer) = await HashesForAsync(disabled.Email, StaffAccounts.Password);

        Assert.Equal(1, unknown);
        Assert.Equal(unknown, lockedWork);
        Assert.Equal(unknown, disabledWork);
        Assert.Equal(unknownAnswer, lockedAnswer);
        Assert.Equal(unknownAnswer, disabledAnswer);
    }

    /// <summary>One password step from a fresh client: the hashes it checked, and the answer it got (status and message).</summary>
    private async Task<(int Hashes, string Answer)> HashesForAsync(string email, string password)
    {
        var client = factory.CreatePortalClient();
        var page = await client.GetPageAsync("/account/sign-in");
        var before = factory.Hashes.Verified;
        using var response = await client.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = email, ["Password"] = password });
        var work = factory.Hashes.Verified - before;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await HtmlForms.ParseAsync(response)).QuerySelector(".error-summary li")?.TextContent ?? "";
        return (work, $"{(int)response.StatusCode} {message}");
    }
}
