using System.Net;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Bundles;

/// <summary>
/// Signing in again before a download. A download does not replace the page it starts from, so
/// the confirmation leads to a page of its own that starts the download: the form, with an
/// earlier error and whatever was typed into it, is gone.
/// </summary>
public sealed class ConfirmBeforeDownloadTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task AfterAWrongThenARightConfirmation_TheDownloadStartsFromAPageWithoutTheFormOrTheError()
    {
        var officer = await StaffAccounts.CreateAsync(factory, StaffRoles.Police);
        var police = await BundleDownloads.SignInForExportAsync(factory, officer);
        var bundle = BundleDownloads.BundlePath(Guid.NewGuid());

        using (var wrong = await BundleDownloads.ConfirmAsync(police, officer, officer.CodeAt(factory.Clock.GetUtcNow()), bundle, password: "Not-The-Password-1"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            var page = await HtmlForms.ParseAsync(wrong);
            Assert.NotNull(page.QuerySelector(".error-summary"));
            Assert.Null(page.QuerySelector("#Password")?.GetAttribute("value"));
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        string started;
        using (var right = await BundleDownloads.ConfirmAsync(police, officer, officer.CodeAt(factory.Clock.GetUtcNow()), bundle))
        {
            Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
            started = right.Headers.Location?.OriginalString ?? "";
            Assert.Equal("/account/confirm/done?returnUrl=" + Uri.EscapeDataString(bundle), started);
        }

        using var done = await police.GetAsync(started);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("0; url=" + bundle, string.Join(",", done.Headers.GetValues("Refresh")));
        var confirmed = await HtmlForms.ParseAsync(done);
        Assert.Null(confirmed.QuerySelector(".error-summary"));
        Assert.Null(confirmed.QuerySelector("input[type=password]"));
        Assert.Equal(bundle, confirmed.QuerySelector("[data-testid=confirmed-continue]")?.GetAttribute("href"));
    }

    [Theory]
    [InlineData("https://elsewhere.example/steal")]
    [InlineData("//elsewhere.example/steal")]
    public async Task TheConfirmedPage_NeverLeadsAwayFromThePortal(string returnUrl)
    {
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        using var done = await supervisor.GetAsync("/account/confirm/done?returnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("0; url=/staff", string.Join(",", done.Headers.GetValues("Refresh")));
        Assert.Equal("/staff", (await HtmlForms.ParseAsync(done)).QuerySelector("[data-testid=confirmed-continue]")?.GetAttribute("href"));
    }
}
