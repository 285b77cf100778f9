using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Evidence;

/// <summary>Details read from an uploaded email are offered pre-filled, and go into the report only when the victim confirms.</summary>
public abstract class ReportDetailsFromEvidenceTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory
{
    [Fact]
    public async Task UploadedEmail_OffersItsDetails_ConfirmingWritesThemToTheCase_AndTheOfferGoes()
    {
        var answers = ReportAnswers.Valid();
        answers["SenderAddress"] = "";
        answers["AmountDemanded"] = "";
        answers["Currency"] = "";
        answers["PaymentAddress"] = "";
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory, answers);
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Maksa 0,35 BTC 48 tunnin sisällä."));
        using (var uploaded = await EvidenceUploads.UploadAsync(client, token, "kiristys.eml", "message/rfc822", email))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        // Read after the answer, by the job: until then the page says so and offers nothing.
        var waiting = await EvidenceUploads.PageAsync(client);
        Assert.NotNull(waiting.QuerySelector("[data-testid=analysis-pending]"));
        Assert.Null(waiting.QuerySelector("[data-testid=suggestion]"));
        Assert.Equal(1, await EvidenceUploads.AnalysePendingAsync(factory));

        var page = await EvidenceUploads.PageAsync(client);
        Assert.Null(page.QuerySelector("[data-testid=analysis-pending]"));
        Assert.NotNull(page.QuerySelector("[data-testid=suggestion]"));
        Assert.Equal("ransom@extortion.example", page.QuerySelector("#SenderAddress")?.GetAttribute("value"));
        Assert.Equal("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", page.QuerySelector("#PaymentAddress")?.GetAttribute("value"));
        Assert.Equal("0.35", page.QuerySelector("#AmountDemanded")?.GetAttribute("value"));
        Assert.Equal("BTC", page.QuerySelector("#Currency option[selected]")?.GetAttribute("value"));
        var reference = (await client.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;
        Assert.Null((await CaseAsync(reference)).SenderAddress);

        using var invalid = await client.SubmitAsync(page, "/status/evidence/confirm", new Dictionary<string, string?> { ["AmountDemanded"] = "lots" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Null((await CaseAsync(reference)).SenderAddress);

        using var confirmed = await client.SubmitAsync(page, "/status/evidence/confirm", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        var stored = await CaseAsync(reference);
        Assert.Equal("ransom@extortion.example", stored.SenderAddress);
        Assert.Equal("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", stored.PaymentAddress);
        Assert.Equal(0.35m, stored.AmountDemanded);
        Assert.Equal("BTC", stored.Currency);
        Assert.Null((await EvidenceUploads.PageAsync(client)).QuerySelector("[data-testid=suggestion]"));

        // In the trail by case: which email, which details (never their values).
        var entry = Assert.Single(await ConfirmationsAsync(stored.Id));
        Assert.Null(entry.ActorId);
        Assert.Equal(stored.DetailsAnsweredFor?.ToString(), entry.Subject);
        Assert.Equal("sender,payment-address,amount", entry.Detail);

        // The same form sent again (a double click) changes nothing and records nothing.
        using (var again = await client.SubmitAsync(page, "/status/evidence/confirm", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        }

        Assert.Single(await ConfirmationsAsync(stored.Id));
    }

    [Fact]
    public async Task UploadedOutlookMessage_IsReadAfterTheAnswer_AndOffersTheSameDetailsAsTheEml_KeepingTheFileAsItCame()
    {
        var answers = ReportAnswers.Valid();
        answers["SenderAddress"] = "";
        answers["AmountDemanded"] = "";
        answers["Currency"] = "";
        answers["PaymentAddress"] = "";
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory, answers);
        var msg = OutlookMessageBuilder.FromInternetMessage(
            EvidenceUploads.SampleEmail("Maksa 0,35 BTC 48 tunnin sisällä."), "Your therapy records", "Ransom Team", "ransom@extortion.example").ToArray();
        using (var uploaded = await EvidenceUploads.UploadAsync(client, token, "kiristys.msg", "application/vnd.ms-outlook", msg))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        Assert.NotNull((await EvidenceUploads.PageAsync(client)).QuerySelector("[data-testid=analysis-pending]"));
        Assert.Equal(1, await EvidenceUploads.AnalysePendingAsync(factory));

        var page = await EvidenceUploads.PageAsync(client);
        Assert.NotNull(page.QuerySelector("[data-testid=suggestion]"));
        Assert.Equal("ransom@extortion.example", page.QuerySelector("#SenderAddress")?.GetAttribute("value"));
        Assert.Equal("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", page.QuerySelector("#PaymentAddress")?.GetAttribute("value"));
        Assert.Equal("0.35", page.QuerySelector("#AmountDemanded")?.GetAttribute("value"));
        Assert.Equal("BTC", page.QuerySelector("#Currency option[selected]")?.GetAttribute("value"));

        var hash = System.Security.Cryptography.SHA256.HashData(msg);
        await using var scope = factory.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EvidenceFiles.AsNoTracking().SingleAsync(e => e.Sha256 == hash);
        Assert.Equal((EvidenceKind.OutlookMessage, "application/vnd.ms-outlook", AnalysisState.Done, (long)msg.Length), (row.Kind, row.MediaType, row.AnalysisState, row.Size));
    }

    [Fact]
    public async Task CorrectedDetails_AreNotOfferedAgainFromTheSameEmail_ButANewEmailIsOffered()
    {
        var answers = ReportAnswers.Valid();
        answers["AmountDemanded"] = "";
        answers["Currency"] = "";
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory, answers);
        using (var uploaded = await EvidenceUploads.UploadAsync(client, token, "first.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Pay 500 EUR within 24 hours."))))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        await EvidenceUploads.AnalysePendingAsync(factory);
        var page = await EvidenceUploads.PageAsync(client);
        Assert.Equal("500", page.QuerySelector("#AmountDemanded")?.GetAttribute("value"));
        var reference = (await client.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;

        // The email was misread: the victim corrects the amount before adding it.
        using (var corrected = await client.SubmitAsync(page, "/status/evidence/confirm", new Dictionary<string, string?> { ["AmountDemanded"] = "600" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        }

        var afterCorrection = await CaseAsync(reference);
        Assert.Equal(600m, afterCorrection.AmountDemanded);
        Assert.Equal("sender,amount", Assert.Single(await ConfirmationsAsync(afterCorrection.Id)).Detail);
        Assert.Null((await EvidenceUploads.PageAsync(client)).QuerySelector("[data-testid=suggestion]"));

        // Another email, with something new in it, is offered.
        using (var uploaded = await EvidenceUploads.UploadAsync(client, token, "second.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Pay 700 EUR now."))))
        {
            Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        }

        await EvidenceUploads.AnalysePendingAsync(factory);
        Assert.Equal("700", (await EvidenceUploads.PageAsync(client)).QuerySelector("#AmountDemanded")?.GetAttribute("value"));
        Assert.Equal(600m, (await CaseAsync(reference)).AmountDemanded);
    }

    private async Task<List<AuditEntry>> ConfirmationsAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking()
            .Where(e => e.CaseId == caseId && e.Action == AuditActions.ReportDetailsConfirmed).ToListAsync();
    }

    private async Task<Case> CaseAsync(string? reference)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.AsNoTracking().SingleAsync(c => c.Reference == reference);
    }
}

public sealed class SqliteReportDetailsFromEvidenceTests(SqlitePortalFactory factory)
    : ReportDetailsFromEvidenceTests<SqlitePortalFactory>(factory), IClassFixture<SqlitePortalFactory>;

public sealed class PostgresReportDetailsFromEvidenceTests(PostgresPortalFactory factory)
    : ReportDetailsFromEvidenceTests<PostgresPortalFactory>(factory), IClassFixture<PostgresPortalFactory>;
