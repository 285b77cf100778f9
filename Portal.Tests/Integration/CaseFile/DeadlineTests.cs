using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.CaseFile;
using Portal.Tests.Integration.Jobs;
using Portal.Tests.Support;
using Portal.Web.Jobs;

namespace Portal.Tests.Integration.CaseFile;

public sealed class SqliteDeadlineTests : DeadlineTests<SqliteJobsPortal>;

public sealed class PostgresDeadlineTests : DeadlineTests<PostgresJobsPortal>;

/// <summary>
/// Deadlines: an admin publishes one on the updates page for all cases, a breach organisation's
/// cases or cases with a police report number; it shows on those case pages only, and victims who
/// chose email get contentless reminders 14 and 2 days before, exactly once per case and stage,
/// sent by the real recurring job as well as by its handler.
/// </summary>
public abstract class DeadlineTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, IJobsPortal, new()
{
    private readonly TFactory portal = new()
    {
        Extra = new()
        {
            ["Reports:BreachOrganisations:0:Key"] = "vastaamo",
            ["Reports:BreachOrganisations:0:Name"] = "Psykoterapiakeskus Vastaamo",
            ["Reports:BreachOrganisations:1:Key"] = "other-clinic",
            ["Reports:BreachOrganisations:1:Name"] = "Other Clinic",
            ["CaseFile:ReminderDaysBefore"] = "14,2",
            ["Jobs:DeadlineReminderSchedule"] = JobsPortal.Never,
        },
    };

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)portal).InitializeAsync();
        _ = portal.Server;
    }

    public Task DisposeAsync() => ((IAsyncLifetime)portal).DisposeAsync();

    [Fact]
    public async Task Deadline_ShowsOnThePagesOfTheCasesItConcerns_AndNowhereElse()
    {
        var (vastaamo, _) = await FileAsync("vastaamo");
        var (other, _) = await FileAsync("other-clinic");
        var (reported, reportedVictim) = await FileAsync("other-clinic");
        await GiveReportNumberAsync(reportedVictim.Case.Id);
        var forVastaamo = "Claims to the district court " + Guid.NewGuid().ToString("N")[..6];
        var forReported = "Bring your report number " + Guid.NewGuid().ToString("N")[..6];
        var forAll = "Compensation applications " + Guid.NewGuid().ToString("N")[..6];
        await PublishAsync(forVastaamo, Days(30), DeadlineAudience.BreachOrganisation, "vastaamo");
        await PublishAsync(forReported, Days(40), DeadlineAudience.PoliceReportNumber);
        await PublishAsync(forAll, Days(50), DeadlineAudience.AllCases);

        var vastaamoPage = await DeadlinesOnPageAsync(vastaamo);
        var otherPage = await DeadlinesOnPageAsync(other);
        var reportedPage = await DeadlinesOnPageAsync(reported);

        Assert.Equal([forVastaamo, forAll], vastaamoPage.Select(Title));
        Assert.Equal([forAll], otherPage.Select(Title));
        Assert.Equal([forReported, forAll], reportedPage.Select(Title));
        Assert.Contains(Days(30), vastaamoPage[0], StringComparison.Ordinal);

        // Public on the updates page, with its date.
        var updates = await portal.CreatePortalClient().GetPageAsync("/updates");
        var notice = updates.QuerySelectorAll("article").Single(a => a.TextContent.Contains(forVastaamo, StringComparison.Ordinal));
        Assert.Equal(Days(30), notice.QuerySelector("[data-testid=deadline] time")?.GetAttribute("datetime"));
    }

    [Fact]
    public async Task AWithdrawnDeadline_LeavesTheUpdatesPageAndTheCases_AndSendsNoMoreReminders()
    {
        var (victimClient, victim) = await FileAsync("vastaamo", email: true);
        var wrong = "Claims by the wrong date " + Guid.NewGuid().ToString("N")[..6];
        var noticeId = await PublishAsync(wrong, Days(20), DeadlineAudience.BreachOrganisation, "vastaamo");
        Assert.Equal([wrong], (await DeadlinesOnPageAsync(victimClient)).Select(Title));
        portal.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await SendRemindersAsync());

        var admin = await StaffAccounts.SignedInClientAsync(portal, StaffRoles.Admin);
        var page = await admin.GetPageAsync("/staff/updates/new");
        Assert.NotNull(page.QuerySelector($"[data-testid=published-notice][data-notice='{noticeId}']"));
        foreach (var click in Enumerable.Range(0, 2))
        {
            // A second click lands where the first did.
            using var withdrawn = await admin.SubmitAsync(page, $"/staff/updates/{noticeId}/withdraw", new Dictionary<string, string?>());
            Assert.Equal("/staff/updates/new?withdrawn=true#published", withdrawn.Headers.Location?.OriginalString);
        }

        var after = await admin.GetPageAsync("/staff/updates/new?withdrawn=true");
        Assert.NotNull(after.QuerySelector("[data-testid=notice-withdrawn]"));
        Assert.Null(after.QuerySelector($"[data-testid=published-notice][data-notice='{noticeId}']"));
        Assert.DoesNotContain(wrong, (await portal.CreatePortalClient().GetPageAsync("/updates")).Body!.TextContent, StringComparison.Ordinal);
        var back = await VictimSteps.OpenAsync(portal, victim.Case.Reference, victim.Case.ReceiptKey) ?? throw new InvalidOperationException("the receipt no longer opens the case");
        Assert.Empty(await DeadlinesOnPageAsync(back));

        // Two days before the date it gave, its second reminder does not go.
        portal.Clock.Advance(TimeSpan.FromDays(11));
        Assert.Equal(0, await SendRemindersAsync());
        Assert.Single(TestMailbox.Smtp.To(victim.Email));
        Assert.Single(await portal.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.NoticeWithdrawn && a.Subject == noticeId.ToString() && a.ActorId != null).ToListAsync()));
        Assert.NotNull((await portal.QueryAsync(db => db.Notices.AsNoTracking().SingleAsync(n => n.Id == noticeId))).WithdrawnAt);
    }

    [Fact]
    public async Task Reminders_GoOncePerStage_SayNothingOfTheCase_AndReachOnlyEmailContactsOfConcernedCases()
    {
        var (_, concerned) = await FileAsync("vastaamo", email: true);
        var (_, portalOnly) = await FileAsync("vastaamo", email: false);
        var (_, notConcerned) = await FileAsync("other-clinic", email: true);
        var title = "Claims to the district court by " + Guid.NewGuid().ToString("N")[..6];
        var noticeId = await PublishAsync(title, Days(20), DeadlineAudience.BreachOrganisation, "vastaamo");

        // 20 days before: no stage is due yet.
        Assert.Equal(0, await SendRemindersAsync());

        portal.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await SendRemindersAsync());
        Assert.Equal(0, await SendRemindersAsync());
        var first = Assert.Single(await TestMailbox.Smtp.WaitForAsync(concerned.Email));

        // The real recurring job, two days before: the second stage, once, whatever runs it.
        portal.Clock.Advance(TimeSpan.FromDays(11));
        Assert.NotNull(portal.RunRecurring(PortalJobKeys.DeadlineReminders));
        var both = await TestMailbox.Smtp.WaitForAsync(concerned.Email, count: 2);
        await Eventually.WaitAsync(() => portal.QueryAsync(db => db.DeadlineReminders.AnyAsync(r => r.NoticeId == noticeId && r.DaysBefore == 2 && r.SentAt != null)), "the job's reminder to be marked sent");
        Assert.Equal(0, await SendRemindersAsync());
        Assert.Equal(2, TestMailbox.Smtp.To(concerned.Email).Count);

        Assert.Empty(TestMailbox.Smtp.To(portalOnly.Email));
        Assert.Empty(TestMailbox.Smtp.To(notConcerned.Email));
        foreach (var mail in both)
        {
            var text = mail.Subject + "\n" + mail.TextBody;
            Assert.Contains("/status/open", mail.TextBody, StringComparison.Ordinal);
            Assert.DoesNotContain(title[..20], text, StringComparison.Ordinal);
            Assert.DoesNotContain(concerned.Case.Reference, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Days(2), text, StringComparison.Ordinal);
            Assert.DoesNotContain("Vastaamo", text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.NotEqual(first.MessageId, both.Single(m => m.MessageId != first.MessageId).MessageId);
        var rows = await portal.QueryAsync(db => db.DeadlineReminders.AsNoTracking().Where(r => r.NoticeId == noticeId).OrderBy(r => r.DaysBefore).ToListAsync());
        Assert.Equal([(concerned.Case.Id, 2), (concerned.Case.Id, 14)], rows.Select(r => (r.CaseId, r.DaysBefore)));
        Assert.All(rows, r => Assert.NotNull(r.SentAt));
        var audited = await portal.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.DeadlineReminderSent && a.Subject == noticeId.ToString()).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal(["14", "2"], audited.Select(a => a.Detail));
        Assert.All(audited, a => Assert.Equal((AuditActor.System, concerned.Case.Id), (a.ActorKind, a.CaseId ?? Guid.Empty)));
    }

    [Fact]
    public async Task Reminders_ForCasesWithAPoliceReportNumber_SkipCasesWithoutOne()
    {
        var (_, reported) = await FileAsync("other-clinic", email: true);
        var (_, unreported) = await FileAsync("other-clinic", email: true);
        await GiveReportNumberAsync(reported.Case.Id);
        await PublishAsync("Report number deadline", Days(10), DeadlineAudience.PoliceReportNumber);

        Assert.Equal(1, await SendRemindersAsync());

        Assert.Single(await TestMailbox.Smtp.WaitForAsync(reported.Email));
        Assert.Empty(TestMailbox.Smtp.To(unreported.Email));
    }

    [Fact]
    public async Task Deadline_PublishedTwoDaysBefore_SendsOnlyTheNearStage()
    {
        var (_, victim) = await FileAsync("vastaamo", email: true);
        var noticeId = await PublishAsync("Late notice", Days(1), DeadlineAudience.AllCases);

        Assert.True(await SendRemindersAsync() >= 1);

        Assert.Single(await TestMailbox.Smtp.WaitForAsync(victim.Email));
        var stages = await portal.QueryAsync(db => db.DeadlineReminders.Where(r => r.NoticeId == noticeId && r.CaseId == victim.Case.Id).Select(r => r.DaysBefore).ToListAsync());
        Assert.Equal([2], stages);

        // Once the day has passed, nothing more is sent and the case page no longer shows it.
        portal.Clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, await SendRemindersAsync());
    }

    [Fact]
    public async Task DeadlineForm_RefusesAPastDate_AndAnOrganisationAudienceWithoutOrganisation()
    {
        var admin = await StaffAccounts.SignedInClientAsync(portal, StaffRoles.Admin);
        var form = await admin.GetPageAsync("/staff/updates/new");
        using var response = await admin.SubmitAsync(form, "/staff/updates/new", new Dictionary<string, string?>
        {
            ["TitleEn"] = "Bad deadline",
            ["BodyEn"] = "Body",
            ["DeadlineOn"] = Days(-3),
            ["Audience"] = nameof(DeadlineAudience.BreachOrganisation),
            ["AudienceBreachOrganisation"] = "",
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        Assert.Equal(["#AudienceBreachOrganisation", "#DeadlineOn"], page.QuerySelectorAll(".error-summary a").Select(a => a.GetAttribute("href") ?? "").Order());
        Assert.False(await portal.QueryAsync(db => db.Notices.AnyAsync(n => n.TitleEn == "Bad deadline")));
    }

    private sealed record Victim(FiledCase Case, string Email);

    private static string Title(string text) => text.Split(" · ")[0].Trim();

    private string Days(int days) => DateOnly.FromDateTime(portal.Clock.GetUtcNow().UtcDateTime).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task AReminderTheServerRefuses_HoldsBackNoOtherReminder_AndIsTriedAgainAtOnce()
    {
        // Filed first, so its reminder is claimed and sent first.
        var (_, refused) = await FileAsync("vastaamo", email: true, address: $"refused-{Guid.NewGuid():N}@test.example");
        var (_, concerned) = await FileAsync("vastaamo", email: true);
        var noticeId = await PublishAsync("Claims by " + Guid.NewGuid().ToString("N")[..6], Days(10), DeadlineAudience.BreachOrganisation, "vastaamo");

        // The run tells the engine (which retries, and in the end shows the failure), after sending the rest.
        var failure = await Assert.ThrowsAsync<EmailDeliveryException>(SendRemindersAsync);
        Assert.Equal(550, failure.SmtpStatus);
        Assert.Single(await TestMailbox.Smtp.WaitForAsync(concerned.Email));
        Assert.Empty(TestMailbox.Smtp.To(refused.Email));
        var held = await portal.QueryAsync(db => db.DeadlineReminders.AsNoTracking().SingleAsync(r => r.NoticeId == noticeId && r.CaseId == refused.Case.Id));
        Assert.Null(held.SentAt);
        Assert.Null(held.ClaimedAt);

        await Assert.ThrowsAsync<EmailDeliveryException>(SendRemindersAsync);
        Assert.Single(TestMailbox.Smtp.To(concerned.Email));
        Assert.Single(await portal.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.Action == AuditActions.DeadlineReminderSent && a.Subject == noticeId.ToString()).ToListAsync()));
    }

    private async Task<(HttpClient Client, Victim Victim)> FileAsync(string organisation, bool email = false, string? address = null)
    {
        address ??= $"victim-{Guid.NewGuid():N}@test.example";
        var changes = new Dictionary<string, string?> { ["BreachOrganisation"] = organisation };
        if (email)
        {
            changes["ContactPreference"] = "Email";
            changes["ContactEmail"] = address;
        }

        var (client, filed) = await CaseFileSteps.FileAsync(portal, changes);
        return (client, new Victim(filed, address));
    }

    private Task GiveReportNumberAsync(Guid caseId) =>
        portal.QueryAsync(async db =>
        {
            var now = portal.Clock.GetUtcNow().UtcDateTime;
            db.Referrals.Add(new Referral { CaseId = caseId, PartnerType = PartnerType.Police, Status = ReferralStatus.Accepted, CreatedAt = now, UpdatedAt = now, PoliceReportNumber = "5500/R/12345/26" });
            return await db.SaveChangesAsync();
        });

    private async Task<Guid> PublishAsync(string title, string deadline, DeadlineAudience audience, string? organisation = null)
    {
        var admin = await StaffAccounts.SignedInClientAsync(portal, StaffRoles.Admin);
        var form = await admin.GetPageAsync("/staff/updates/new");
        using var posted = await admin.SubmitAsync(form, "/staff/updates/new", new Dictionary<string, string?>
        {
            ["TitleEn"] = title,
            ["BodyEn"] = "Send your claim with receipts and certificates.",
            ["DeadlineOn"] = deadline,
            ["Audience"] = audience.ToString(),
            ["AudienceBreachOrganisation"] = organisation ?? "",
        });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var notice = await portal.QueryAsync(db => db.Notices.AsNoTracking().SingleAsync(n => n.TitleEn == title));
        Assert.Equal((DateOnly.ParseExact(deadline, "yyyy-MM-dd", CultureInfo.InvariantCulture), audience, organisation), (notice.DeadlineOn ?? default, notice.Audience, notice.AudienceBreachOrganisation));
        Assert.True(await portal.QueryAsync(db => db.AuditEntries.AnyAsync(a => a.Action == AuditActions.NoticePosted && a.Subject == notice.Id.ToString() && a.ActorId != null)));
        return notice.Id;
    }

    private static async Task<List<string>> DeadlinesOnPageAsync(HttpClient victim)
    {
        var page = await victim.GetPageAsync("/status");
        return page.QuerySelectorAll("[data-testid=case-deadline]").Select(li => string.Join(' ', li.TextContent.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)) + " " + li.QuerySelector("time")?.GetAttribute("datetime")).ToList();
    }

    private async Task<int> SendRemindersAsync()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SendDeadlineRemindersHandler>().HandleAsync(CancellationToken.None);
    }
}
