using System.Net;
using AngleSharp.Dom;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

/// <summary>
/// A question answered with radio buttons or checkboxes is a fieldset: a screen reader announces
/// its legend and its description on entering the group, and not a paragraph that merely sits
/// inside it. An unanswered group's error must be that description, as a text field's is.
/// </summary>
public sealed class GroupedQuestionErrorTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task Report_UnansweredRadioQuestions_EachGroupIsDescribedByItsError()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report/all");
        var answers = ReportAnswers.Valid();
        string[] unanswered = ["RiskSelfHarm", "RiskImmediateDanger", "Paid", "DataPublished", "ContactPreference"];
        foreach (var question in unanswered)
        {
            answers[question] = null;
        }

        using var response = await client.SubmitAsync(form, "/report", answers);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        foreach (var question in unanswered)
        {
            AssertGroupDescribedByError(page, question, $"#{question}");
        }
    }

    [Fact]
    public async Task StaffInvitation_WithoutRole_TheRolesGroupIsDescribedByItsError()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var page = await admin.GetPageAsync("/staff/invitations");

        using var response = await admin.SubmitAsync(page, "/staff/invitations", new Dictionary<string, string?> { ["Email"] = "nobody@test.example", ["Language"] = "en" });

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        AssertGroupDescribedByError(await HtmlForms.ParseAsync(response), "Roles", "#invite-role-Volunteer");
    }

    [Fact]
    public async Task ErrorSummaryLinks_ToUnansweredGroups_LandOnSomethingThatTakesFocus()
    {
        // The invitation's groups carry the question's name on the fieldset itself; the report's on
        // its first radio button. A link whose target cannot take focus leaves a keyboard or
        // screen-reader user on the link, however often they follow it.
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var invitations = await admin.GetPageAsync("/staff/invitations");
        using (var refused = await admin.SubmitAsync(invitations, "/staff/invitations", new Dictionary<string, string?> { ["Email"] = "nobody@test.example", ["Roles"] = null, ["Language"] = null }))
        {
            Assert.Equal((HttpStatusCode)422, refused.StatusCode);
            AssertSummaryLinksTakeFocus(await HtmlForms.ParseAsync(refused), "#Roles", "#Language");
        }

        var client = factory.CreatePortalClient();
        var report = await client.GetPageAsync("/report/all");
        var answers = ReportAnswers.Valid();
        answers["Paid"] = null;
        answers["ContactPreference"] = null;
        using var unanswered = await client.SubmitAsync(report, "/report", answers);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unanswered.StatusCode);
        AssertSummaryLinksTakeFocus(await HtmlForms.ParseAsync(unanswered), "#Paid", "#ContactPreference");
    }

    private static void AssertSummaryLinksTakeFocus(IDocument page, params string[] expected)
    {
        var links = page.QuerySelectorAll(".error-summary a[href^='#']").Select(a => a.GetAttribute("href") ?? "").ToList();
        Assert.All(expected, link => Assert.Contains(link, links));
        foreach (var link in links)
        {
            var target = page.GetElementById(link[1..]);
            Assert.True(target is not null, $"the error summary links to {link}, which the page does not have");
            Assert.True(TakesFocus(target), $"the error summary links to {link}, a <{target.LocalName}> that cannot take focus");
        }
    }

    private static bool TakesFocus(IElement element) =>
        element.HasAttribute("tabindex")
        || (element.LocalName is "input" && element.GetAttribute("type") != "hidden")
        || element.LocalName is "select" or "textarea" or "button"
        || (element.LocalName is "a" && element.HasAttribute("href"));

    private static void AssertGroupDescribedByError(IDocument page, string question, string anInputOfTheGroup)
    {
        var error = page.QuerySelector($"#{question}-error");
        Assert.True(error is not null, $"{question} has no error message");
        var group = page.QuerySelector(anInputOfTheGroup)?.Closest("fieldset");
        Assert.True(group is not null, $"{anInputOfTheGroup} is in no fieldset");
        var describedBy = (group.GetAttribute("aria-describedby") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(describedBy.Contains($"{question}-error"), $"the {question} group is described by '{string.Join(' ', describedBy)}', not by its error");
        // Everything the description names exists, or a screen reader reads nothing.
        Assert.All(describedBy, id => Assert.NotNull(page.GetElementById(id)));
    }
}
