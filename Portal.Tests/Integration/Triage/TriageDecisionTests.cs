using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Triage;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Triage;

/// <summary>Triage decisions through the case page: only the claim holder decides, and consent is never bypassed.</summary>
public sealed class TriageDecisionTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task WithoutPoliceConsent_NoRequestSendsTheCaseToPolice()
    {
        var caseId = await FileAsync(consentPolice: false, consentCounselling: true);
        var volunteer = await ClaimAsync(caseId);
        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");

        foreach (var route in new[] { "Police", "PoliceAndCounselling" })
        {
            using var refused = await volunteer.SubmitAsync(page, $"/staff/cases/{caseId}/decision", new Dictionary<string, string?> { ["route"] = route });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("did not consent", (await HtmlForms.ParseAsync(refused)).QuerySelector("[data-testid=case-message]")?.TextContent, StringComparison.Ordinal);
        }

        var stored = await CaseAsync(caseId);
        Assert.Equal(CaseStatus.InTriage, stored.Status);
        Assert.Empty(await DecisionsAsync(caseId));

        using var counselling = await volunteer.SubmitAsync(page, $"/staff/cases/{caseId}/decision", new Dictionary<string, string?> { ["route"] = "Counselling" });
        Assert.Equal($"/staff/cases/{caseId}?decided=1", counselling.Headers.Location?.OriginalString);
        var decided = await CaseAsync(caseId);
        Assert.Equal(CaseStatus.Referred, decided.Status);
        Assert.Null(decided.ClaimedById);
        Assert.Equal(TriageRoute.Counselling, Assert.Single(await DecisionsAsync(caseId)).Route);
    }

    [Fact]
    public async Task OnlyTheClaimHolder_Decides_AndClosingNeedsANote()
    {
        var caseId = await FileAsync(consentPolice: true, consentCounselling: true);
        var holder = await ClaimAsync(caseId);
        var other = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var otherPage = await other.GetPageAsync($"/staff/cases/{caseId}");
        Assert.Null(otherPage.QuerySelector($"form[action='/staff/cases/{caseId}/decision']"));
        var token = otherPage.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";

        using var notHolder = await other.PostAsync($"/staff/cases/{caseId}/decision", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["route"] = "Police" }));
        Assert.Equal(HttpStatusCode.Conflict, notHolder.StatusCode);

        var page = await holder.GetPageAsync($"/staff/cases/{caseId}");
        using var noNote = await holder.SubmitAsync(page, $"/staff/cases/{caseId}/decision", new Dictionary<string, string?> { ["route"] = "Close" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noNote.StatusCode);

        // A note past the field's maxlength (a hand-made form) is refused whole, never cut.
        using var longNote = await holder.SubmitAsync(page, $"/staff/cases/{caseId}/decision", new Dictionary<string, string?> { ["route"] = "Close", ["reason"] = new string('n', DecideTriageHandler.MaxReasonLength + 1) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, longNote.StatusCode);
        Assert.StartsWith("Keep the note to 500 characters", (await HtmlForms.ParseAsync(longNote)).QuerySelector("[data-testid=case-message]")?.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal(CaseStatus.InTriage, (await CaseAsync(caseId)).Status);

        using var closed = await holder.SubmitAsync(page, $"/staff/cases/{caseId}/decision", new Dictionary<string, string?> { ["route"] = "Close", ["reason"] = "Duplicate of an earlier report" });
        Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        Assert.Equal(CaseStatus.Closed, (await CaseAsync(caseId)).Status);

        using var again = await holder.SubmitAsync(page, $"/staff/cases/{caseId}/decision", new Dictionary<string, string?> { ["route"] = "Police" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await using var scope = factory.Services.CreateAsyncScope();
        var audited = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.Where(e => e.CaseId == caseId && e.Action == AuditActions.TriageDecided).Select(e => e.Detail).ToListAsync();
        Assert.Contains(nameof(DecisionOutcome.Decided), audited);
        Assert.Contains(nameof(DecisionOutcome.NotHolder), audited);
        Assert.Contains(nameof(DecisionOutcome.ReasonTooLong), audited);
        Assert.Equal("Duplicate of an earlier report", (await scope.ServiceProvider.GetRequiredService<PortalDbContext>().TriageDecisions.SingleAsync(d => d.CaseId == caseId)).Reason);
    }

    [Theory]
    [InlineData(TriageRoute.Police, false, false, false)]
    [InlineData(TriageRoute.Police, true, false, true)]
    [InlineData(TriageRoute.Counselling, true, false, false)]
    [InlineData(TriageRoute.Counselling, false, true, true)]
    [InlineData(TriageRoute.PoliceAndCounselling, true, false, false)]
    [InlineData(TriageRoute.PoliceAndCounselling, true, true, true)]
    [InlineData(TriageRoute.InformationOnly, false, false, true)]
    [InlineData(TriageRoute.Close, false, false, true)]
    public void ConsentAllows_OnlyWhatTheVictimAgreedTo(TriageRoute route, bool police, bool counselling, bool allowed)
    {
        var entity = new Case { Reference = "VS-0000-0000", ReceiptHash = [], Language = "en", NarrativeEnvelope = [], ConsentPolice = police, ConsentCounselling = counselling };

        Assert.Equal(allowed, DecideTriageHandler.ConsentAllows(entity, route));
    }

    private async Task<Guid> FileAsync(bool consentPolice, bool consentCounselling)
    {
        var answers = ReportAnswers.Valid();
        answers["ConsentPolice"] = consentPolice ? "true" : null;
        answers["ConsentCounselling"] = consentCounselling ? "true" : null;
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        var reference = (await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=reference]")?.TextContent;
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
    }

    private async Task<HttpClient> ClaimAsync(Guid caseId)
    {
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await volunteer.GetPageAsync("/staff/queue");
        using var claimed = await volunteer.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
        return volunteer;
    }

    private async Task<Case> CaseAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.AsNoTracking().SingleAsync(c => c.Id == caseId);
    }

    private async Task<List<TriageDecision>> DecisionsAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().TriageDecisions.AsNoTracking().Where(d => d.CaseId == caseId).ToListAsync();
    }
}
