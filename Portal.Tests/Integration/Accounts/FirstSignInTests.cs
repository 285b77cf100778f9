using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Accounts;
using Portal.Tests.Support;
using Portal.Web.Cli;

namespace Portal.Tests.Integration.Accounts;

/// <summary>Two-factor sign-in required, as in production.</summary>
public sealed class ProductionTwoFactorFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Security:RequireTwoFactor", "true")];
}

/// <summary>
/// A new staff member's first sign-in, from an invitation or from create-admin, to the staff page.
/// The clock moves between pages as it does for a person reading and typing: a session is
/// checked against the account on every request after the one that issued it.
/// </summary>
public sealed partial class FirstSignInTests(ProductionTwoFactorFactory factory) : IClassFixture<ProductionTwoFactorFactory>
{
    [Fact]
    public async Task InvitedMember_AcceptsTheInvitation_IsMadeToEnrol_AndACorrectCodeOpensTheStaffPage()
    {
        var recipient = $"invited-{Guid.NewGuid():N}@portal.test";
        var link = await InviteAsync(recipient, StaffRoles.Volunteer);
        var member = factory.CreatePortalClient();
        var form = await member.GetPageAsync(link);
        Pause(TimeSpan.FromSeconds(40));
        using (var accepted = await member.SubmitAsync(form, "/account/invitation", new Dictionary<string, string?>
        {
            ["Name"] = "New Volunteer",
            ["Password"] = StaffAccounts.Password,
            ["ConfirmPassword"] = StaffAccounts.Password,
        }))
        {
            Assert.Equal("/account/two-factor", accepted.Headers.Location?.OriginalString);
        }

        var account = await EnrolAndOpenTheStaffPageAsync(member, recipient);

        using var queue = await (await SignInLaterAsync(account)).GetAsync("/staff/queue");
        Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
    }

    [Fact]
    public async Task CreatedAdmin_SignsInWithThePassword_IsMadeToEnrol_AndACorrectCodeOpensTheStaffPage()
    {
        var email = $"first-admin-{Guid.NewGuid():N}@portal.test";
        var created = await PortalCommands.CreateAdminAsync(factory.Services, email, "First Admin", StaffAccounts.Password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        var admin = factory.CreatePortalClient();
        var page = await admin.GetPageAsync("/account/sign-in");
        Pause(TimeSpan.FromSeconds(10));
        using (var password = await admin.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = email, ["Password"] = StaffAccounts.Password }))
        {
            Assert.Equal("/staff", password.Headers.Location?.OriginalString);
        }

        var account = await EnrolAndOpenTheStaffPageAsync(admin, email);

        using var users = await (await SignInLaterAsync(account)).GetAsync("/staff/users");
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
    }

    /// <summary>
    /// Sent to enrol; the key is made once and shown again unchanged; a wrong code is refused
    /// with a message; the right one gives recovery codes and the staff page opens.
    /// </summary>
    private async Task<StaffAccount> EnrolAndOpenTheStaffPageAsync(HttpClient member, string email)
    {
        Pause(TimeSpan.FromSeconds(2));
        using (var staff = await member.GetAsync("/staff"))
        {
            Assert.Equal("/account/two-factor", staff.Headers.Location?.OriginalString);
        }

        Pause(TimeSpan.FromSeconds(2));
        var enrol = await member.GetPageAsync("/account/two-factor");
        var key = SharedKey(enrol);
        Assert.NotEmpty(key);

        // Installing the app takes a while; the page is opened again with the same key.
        Pause(TimeSpan.FromSeconds(90));
        enrol = await member.GetPageAsync("/account/two-factor");
        Assert.Equal(key, SharedKey(enrol));
        var account = new StaffAccount(email, key);

        Pause(TimeSpan.FromSeconds(20));
        using (var wrong = await member.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = WrongCode(account) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.Contains("not correct", (await HtmlForms.ParseAsync(wrong)).QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
        }

        Pause(TimeSpan.FromSeconds(15));
        using (var enabled = await member.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = account.CodeAt(factory.Clock.GetUtcNow()) }))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
            Assert.Equal(10, (await HtmlForms.ParseAsync(enabled)).QuerySelectorAll("[data-testid=recovery-codes] code").Length);
        }

        Pause(TimeSpan.FromSeconds(30));
        using (var staffPage = await member.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.OK, staffPage.StatusCode);
            Assert.Contains($"Signed in as {email}.", (await HtmlForms.ParseAsync(staffPage)).Body?.TextContent, StringComparison.Ordinal);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.Where(u => u.Email == email).Select(u => u.TwoFactorEnabled).SingleAsync());
        return account;
    }

    /// <summary>The next day's sign-in with password and code, in a new browser.</summary>
    private async Task<HttpClient> SignInLaterAsync(StaffAccount account)
    {
        Pause(TimeSpan.FromHours(20));
        return await StaffAccounts.SignInAsync(factory, account);
    }

    private async Task<string> InviteAsync(string recipient, string role)
    {
        var admin = await StaffAccounts.CreateAsync(factory, StaffRoles.Admin);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var adminId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.Where(u => u.Email == admin.Email).Select(u => u.Id).SingleAsync();
            var sent = await scope.ServiceProvider.GetRequiredService<InviteStaffHandler>()
                .InviteAsync(new InviteStaff { Email = recipient, Roles = [role], Language = "en" }, Actor.Staff(adminId, null), CancellationToken.None);
            Assert.Equal(InvitationOutcome.Sent, sent.Outcome);
        }

        // No mail server is configured for this portal, so it wrote the email to its outbox.
        var mail = Assert.Single(new TestMailbox(Path.Combine(factory.DataDirectory, "outbox")).To(recipient));
        return InvitationLink().Match(mail.TextBody).Value;
    }

    private void Pause(TimeSpan time) => factory.Clock.Advance(time);

    private static string SharedKey(AngleSharp.Dom.IDocument page) =>
        (page.QuerySelector("[data-testid=shared-key]")?.TextContent ?? "").Replace(" ", "", StringComparison.Ordinal);

    /// <summary>A code no step near now produces.</summary>
    private string WrongCode(StaffAccount account)
    {
        var now = factory.Clock.GetUtcNow();
        var near = Enumerable.Range(-1, 3).Select(step => account.CodeAt(now, step)).ToHashSet(StringComparer.Ordinal);
        return Enumerable.Range(0, 10).Select(i => new string((char)('0' + i), Totp.Digits)).First(code => !near.Contains(code));
    }

    [GeneratedRegex(@"/account/invitation\?token=[A-Za-z0-9_-]+")]
    private static partial Regex InvitationLink();
}
