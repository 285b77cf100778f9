using System.Net;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Accounts;

/// <summary>
/// A wrong code while turning two-factor on: the error summary's link leads to the code field,
/// and the field itself must then say what is wrong, or a screen reader announces only its label.
/// </summary>
public sealed class EnrolmentErrorTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task WrongCode_TheCodeFieldIsInvalid_AndDescribedByItsError()
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer, twoFactor: false);
        var client = factory.CreatePortalClient();
        var signIn = await client.GetPageAsync("/account/sign-in");
        (await client.SubmitAsync(signIn, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = account.Email, ["Password"] = StaffAccounts.Password })).Dispose();
        var enrol = await client.GetPageAsync("/account/two-factor");

        using var wrong = await client.SubmitAsync(enrol, "/account/two-factor", new Dictionary<string, string?> { ["code"] = "000000" });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var page = await HtmlForms.ParseAsync(wrong);
        Assert.Equal("#code", page.QuerySelector(".error-summary a")?.GetAttribute("href"));
        var field = page.QuerySelector("#code");
        Assert.Equal("true", field?.GetAttribute("aria-invalid"));
        Assert.Contains("code-error", (field?.GetAttribute("aria-describedby") ?? "").Split(' '));
        Assert.Equal(page.QuerySelector(".error-summary a")?.TextContent.Trim(), page.QuerySelector("#code-error")?.TextContent.Trim());
    }
}
