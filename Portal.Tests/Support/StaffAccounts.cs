using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;

namespace Portal.Tests.Support;

public static class StaffAccounts
{
    public const string Password = "Test-Password-2026";

    public static async Task<string> CreateAsync(PortalFactory factory, string role)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@portal.test";
        var user = new StaffUser { UserName = email, Email = email, DisplayName = role, EmailConfirmed = true };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return email;
    }

    public static async Task<HttpClient> SignedInClientAsync(PortalFactory factory, string role)
    {
        var email = await CreateAsync(factory, role);
        var client = factory.CreatePortalClient();
        var page = await client.GetPageAsync("/account/sign-in");
        using var response = await client.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = email, ["Password"] = Password });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
