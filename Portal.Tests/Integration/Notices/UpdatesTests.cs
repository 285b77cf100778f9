using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Notices;

/// <summary>The one place for up-to-date information: admins post dated notices, everyone reads them.</summary>
public sealed class UpdatesTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task Admin_PostsNotice_VisitorsReadItInTheirLanguage_WithItsDate()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var form = await admin.GetPageAsync("/staff/updates/new");
        var title = "Police advice " + Guid.NewGuid().ToString("N")[..6];

        using var posted = await admin.SubmitAsync(form, "/staff/updates/new", new Dictionary<string, string?>
        {
            ["TitleEn"] = title,
            ["BodyEn"] = "Keep the **original** email. <script>alert(1)</script>",
            ["TitleFi"] = title + " (fi)",
            ["BodyFi"] = "Säilytä alkuperäinen sähköposti.",
        });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);

        var visitor = factory.CreatePortalClient();
        var english = await visitor.GetPageAsync("/updates");
        var notice = english.QuerySelectorAll("article").Single(a => a.TextContent.Contains(title, StringComparison.Ordinal));
        Assert.Contains("<strong>original</strong>", notice.InnerHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", notice.InnerHtml, StringComparison.Ordinal);
        // The instant it was published, with the victims' offset.
        Assert.Equal(factory.Clock.GetUtcNow(), DateTimeOffset.Parse(notice.QuerySelector("time")?.GetAttribute("datetime") ?? "", System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMinutes(1));

        var finnish = factory.CreatePortalClient();
        finnish.DefaultRequestHeaders.Add("Accept-Language", "fi");
        var finnishPage = await finnish.GetPageAsync("/updates");
        Assert.Contains(title + " (fi)", finnishPage.Body!.TextContent, StringComparison.Ordinal);

        var swedish = factory.CreatePortalClient();
        swedish.DefaultRequestHeaders.Add("Accept-Language", "sv");
        var swedishPage = await swedish.GetPageAsync("/updates");
        Assert.Contains(title, swedishPage.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LateInTheUtcDay_DeadlinesAreCheckedAndNoticesDated_ByTheVictimsDay()
    {
        // 22:30 UTC is already the next day in Helsinki.
        var now = factory.Clock.GetUtcNow();
        var lateEvening = new DateTimeOffset(now.UtcDateTime.Date.AddHours(22).AddMinutes(30), TimeSpan.Zero);
        factory.Clock.Advance((lateEvening > now ? lateEvening : lateEvening.AddDays(1)) - now);
        var utcDay = DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime);
        var helsinkiDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(factory.Clock.GetUtcNow().UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById("Europe/Helsinki")));
        Assert.Equal(utcDay.AddDays(1), helsinkiDay);

        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var title = "Deadline " + Guid.NewGuid().ToString("N")[..6];
        async Task<HttpResponseMessage> PostAsync(DateOnly deadline) =>
            await admin.SubmitAsync(await admin.GetPageAsync("/staff/updates/new"), "/staff/updates/new", new Dictionary<string, string?>
            {
                ["TitleEn"] = title,
                ["BodyEn"] = "File your claim by this date.",
                ["DeadlineOn"] = deadline.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            });

        using (var yesterday = await PostAsync(utcDay))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, yesterday.StatusCode);
            Assert.Contains("cannot be in the past", (await HtmlForms.ParseAsync(yesterday)).QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
        }

        using (var mistyped = await PostAsync(helsinkiDay.AddYears(11)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, mistyped.StatusCode);
            Assert.Contains("Check the year", (await HtmlForms.ParseAsync(mistyped)).QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
        }

        using (var today = await PostAsync(helsinkiDay))
        {
            Assert.Equal(HttpStatusCode.Redirect, today.StatusCode);
        }

        var finnish = factory.CreatePortalClient();
        finnish.DefaultRequestHeaders.Add("Accept-Language", "fi");
        var notice = (await finnish.GetPageAsync("/updates")).QuerySelectorAll("article").Single(a => a.TextContent.Contains(title, StringComparison.Ordinal));
        Assert.Equal(helsinkiDay.ToString("d", System.Globalization.CultureInfo.GetCultureInfo("fi")), notice.QuerySelector("[data-testid=published-on]")?.TextContent);
    }

    [Fact]
    public async Task TheSameNoticeForm_SentAgainOrTwiceAtOnce_PostsOneNotice_AndAnEditedResendAnother()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var form = await admin.GetPageAsync("/staff/updates/new");
        var title = "Once " + Guid.NewGuid();
        var fields = new Dictionary<string, string?> { ["TitleEn"] = title, ["BodyEn"] = "Helpline open on Sunday." };

        var posts = new List<HttpResponseMessage> { await admin.SubmitAsync(form, "/staff/updates/new", fields) };
        posts.AddRange(await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => admin.SubmitAsync(form, "/staff/updates/new", fields))));
        Assert.All(posts, p => Assert.Equal(HttpStatusCode.Redirect, p.StatusCode));
        posts.ForEach(p => p.Dispose());

        var updates = await factory.CreatePortalClient().GetPageAsync("/updates");
        Assert.Single(updates.QuerySelectorAll("h3"), h => h.TextContent.Contains(title, StringComparison.Ordinal));
        Assert.Equal(1, await factory.QueryAsync(db => db.Notices.CountAsync(n => n.TitleEn == title)));
        var id = await factory.QueryAsync(db => db.Notices.Where(n => n.TitleEn == title).Select(n => n.Id).SingleAsync());
        Assert.Equal(1, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.NoticePosted && a.Subject == id.ToString())));

        fields["BodyEn"] = "Helpline open on Sunday, 10-16.";
        using (var edited = await admin.SubmitAsync(form, "/staff/updates/new", fields))
        {
            Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        }

        Assert.Equal(2, await factory.QueryAsync(db => db.Notices.CountAsync(n => n.TitleEn == title)));
    }

    [Fact]
    public async Task Notice_WithoutEnglishTitle_IsRejected_AndNothingIsPosted()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var form = await admin.GetPageAsync("/staff/updates/new");

        using var response = await admin.SubmitAsync(form, "/staff/updates/new", new Dictionary<string, string?> { ["TitleEn"] = "", ["BodyEn"] = "Orphan body " + Guid.NewGuid() });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        Assert.Contains("#TitleEn", page.QuerySelectorAll(".error-summary a").Select(a => a.GetAttribute("href")));
        var updates = await factory.CreatePortalClient().GetPageAsync("/updates");
        Assert.DoesNotContain("Orphan body", updates.Body!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("foo", "", "Tämä vastaus ei ole lomakkeen vaihtoehto. Valitse tai kirjoita se uudelleen.")]
    [InlineData("7", "2027-01-01", "Tämä vastaus ei ole lomakkeen vaihtoehto. Valitse tai kirjoita se uudelleen.")]
    public async Task Notice_WithAValueNoFieldOffers_IsRefusedInThePagesLanguage_AndNothingIsPosted(string audience, string deadline, string expected)
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var form = await admin.GetPageAsync("/staff/updates/new");
        using (var finnish = await admin.SubmitAsync(form, "/language", new Dictionary<string, string?> { ["language"] = "fi", ["returnUrl"] = "/staff/updates/new" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, finnish.StatusCode);
        }

        form = await admin.GetPageAsync("/staff/updates/new");
        var title = "Hand-made " + Guid.NewGuid();
        using var response = await admin.SubmitAsync(form, "/staff/updates/new", new Dictionary<string, string?> { ["TitleEn"] = title, ["BodyEn"] = "B", ["Audience"] = audience, ["DeadlineOn"] = deadline });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        Assert.Contains(expected, page.QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("is not valid", page.Body?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("is invalid", page.Body?.TextContent, StringComparison.Ordinal);
        var updates = await factory.CreatePortalClient().GetPageAsync("/updates");
        Assert.DoesNotContain(title, updates.Body!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StaffRoles.Volunteer)]
    [InlineData(StaffRoles.Police)]
    public async Task OtherStaff_CannotPostNotices(string role)
    {
        var staff = await StaffAccounts.SignedInClientAsync(factory, role);

        using var response = await staff.GetAsync("/staff/updates/new");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn_AndAWrongPasswordGetsOneGenericMessage()
    {
        var visitor = factory.CreatePortalClient();
        using var staffPage = await visitor.GetAsync("/staff");
        Assert.Contains("/account/sign-in", staffPage.Headers.Location?.ToString(), StringComparison.Ordinal);

        var email = (await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer)).Email;
        var page = await visitor.GetPageAsync("/account/sign-in");
        using var wrongPassword = await visitor.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = email, ["Password"] = "wrong-password-123" });
        using var unknownUser = await visitor.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = "nobody@portal.test", ["Password"] = "wrong-password-123" });

        var first = (await HtmlForms.ParseAsync(wrongPassword)).QuerySelector(".error-summary li")?.TextContent.Trim();
        var second = (await HtmlForms.ParseAsync(unknownUser)).QuerySelector(".error-summary li")?.TextContent.Trim();
        Assert.False(string.IsNullOrEmpty(first));
        Assert.Equal(first, second);
        Assert.Equal(wrongPassword.StatusCode, unknownUser.StatusCode);
    }
}
