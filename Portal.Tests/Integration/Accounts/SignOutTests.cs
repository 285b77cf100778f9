using System.Net;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Accounts;

/// <summary>Signing out ends the session on the server: a copy of the cookie taken before opens nothing after.</summary>
public sealed class SignOutTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    private static readonly Uri Portal = new("https://localhost/");

    [Fact]
    public async Task CookieSavedBeforeSignOut_IsRefusedAfterIt_AndANewSignInWorks()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        var cookies = new CookieContainer();
        var browser = factory.CreateDefaultClient(Portal, new CookieContainerHandler(cookies));
        using (var signedIn = await StaffAccounts.SubmitSignInAsync(browser, account, account.CodeAt(factory.Clock.GetUtcNow())))
        {
            Assert.Equal("/staff", signedIn.Headers.Location?.OriginalString);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        var staffPage = await browser.GetPageAsync("/staff");
        var saved = cookies.GetCookieHeader(Portal);
        using (var before = await ReplayAsync(saved, "/staff/queue"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var signedOut = await browser.SubmitAsync(staffPage, "/account/sign-out", new Dictionary<string, string?>()))
        {
            Assert.Equal("/", signedOut.Headers.Location?.OriginalString);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        using (var replayed = await ReplayAsync(saved, "/staff/queue"))
        {
            Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
            Assert.Contains("/account/sign-in", replayed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        var again = await StaffAccounts.SignInAsync(factory, account);
        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        using var queue = await again.GetAsync("/staff/queue");
        Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
    }

    [Fact]
    public async Task SignOut_EndsTheMembersSessionsOnOtherDevicesToo()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var office = await StaffAccounts.SignInAsync(factory, account, stepOffset: -1);
        var laptop = await StaffAccounts.SignInAsync(factory, account);
        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        var page = await laptop.GetPageAsync("/staff");

        using (var signedOut = await laptop.SubmitAsync(page, "/account/sign-out", new Dictionary<string, string?>()))
        {
            Assert.Equal("/", signedOut.Headers.Location?.OriginalString);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        using var elsewhere = await office.GetAsync("/staff/queue");
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);
        Assert.Contains("/account/sign-in", elsewhere.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachStaffRequest_ChecksTheSessionWithOneReadOfTheStamp_AndRebuildsNothing()
    {
        var staff = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        var before = factory.Logs.Lines.Count;

        using var page = await staff.GetAsync("/staff");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var queries = factory.Logs.Lines.Skip(before).Where(l => l.Contains("Executed DbCommand", StringComparison.Ordinal)).ToList();
        Assert.Single(queries, q => q.Contains("\"SecurityStamp\"", StringComparison.Ordinal) && q.Contains("FROM \"AspNetUsers\"", StringComparison.Ordinal));
        Assert.DoesNotContain(queries, q => q.Contains("\"AspNetUserRoles\"", StringComparison.Ordinal) || q.Contains("\"AspNetUserClaims\"", StringComparison.Ordinal) || q.Contains("\"AspNetRoleClaims\"", StringComparison.Ordinal));
    }

    /// <summary>A request carrying exactly the given cookies, from a client that keeps none of its own.</summary>
    private async Task<HttpResponseMessage> ReplayAsync(string cookieHeader, string path)
    {
        using var replay = factory.CreateDefaultClient(Portal);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookieHeader);
        return await replay.SendAsync(request);
    }
}
