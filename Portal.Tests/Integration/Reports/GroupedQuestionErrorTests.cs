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
