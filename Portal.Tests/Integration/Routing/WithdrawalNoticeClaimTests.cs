using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence.Email;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Routing;

/// <summary>
/// A partner's notice that the victim withdrew consent is claimed for a while, not cleared, before
/// it is sent (issue 12): a run that died after claiming leaves the notice to a later run once
/// the claim has expired, and a run that died after sending but before recording it sends it again
/// with the same Message-ID, so the partner's mail client shows one message. Each sent notice is
/// audited once, in the transaction that marks it done.
/// </summary>
public abstract class WithdrawalNoticeClaimTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory
{
    [Fact]
    public async Task NoticeClaimedByARunThatDied_IsSentOnceTheClaimExpires_AndAgainWithTheSameMessageId_WhenItsRecordWasLost()
    {
        var region = "lappi";
        var victim = await VictimSteps.FileAsync(factory, new Dictionary<string, string?> { ["Region"] = region });
        var police = await AddPartnerAsync(factory, PartnerType.Police, region);
        using (var decided = await DecideAsync(factory, victim.Case.Id, "Police"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referral = await ReferralAsync(factory, victim.Case.Id, PartnerType.Police);
        Assert.Equal(RoutingOutcome.Routed, await RouteAsync(factory, referral.Id));
        await TestMailbox.Smtp.WaitForAsync(police.ContactEmail, count: 1);
        await WithdrawAsync(victim);

        // A run took the notice and died before sending it.
        await ClaimAsync(referral.Id, factory.Clock.GetUtcNow().UtcDateTime);
        Assert.Equal(RoutingOutcome.Withdrawn, await RouteAsync(factory, referral.Id));
        Assert.Empty(Notices(police.ContactEmail));
        Assert.True(await PendingAsync(referral.Id));

        // Its claim runs out: the next run sends it, marks it done and audits it.
        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(RoutingOutcome.Withdrawn, await RouteAsync(factory, referral.Id));
        var first = Assert.Single(await NoticesAsync(police.ContactEmail, 1));
        Assert.False(await PendingAsync(referral.Id));
        Assert.Equal(1, await NotifiedEntriesAsync(victim.Case.Id));

        // A run that sent it and died before recording it: sent again, as the same message.
        await WithDbAsync(factory, db => db.ReferralAssignments.Where(a => a.ReferralId == referral.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.WithdrawalNoticePending, true).SetProperty(a => a.WithdrawalNoticeClaimedAt, factory.Clock.GetUtcNow().UtcDateTime)));
        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(RoutingOutcome.Withdrawn, await RouteAsync(factory, referral.Id));
        var both = await NoticesAsync(police.ContactEmail, 2);
        Assert.All(both, m => Assert.Equal(first.MessageId, m.MessageId));
        Assert.False(await PendingAsync(referral.Id));
        Assert.Equal(2, await NotifiedEntriesAsync(victim.Case.Id));

        // Done: further runs send nothing.
        factory.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(RoutingOutcome.Withdrawn, await RouteAsync(factory, referral.Id));
        Assert.Equal(2, Notices(police.ContactEmail).Count);
    }

    private static async Task WithdrawAsync(Victim victim)
    {
        var page = await victim.Client.GetPageAsync("/status");
        var form = page.QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("[data-testid=consent-police] form[action='/status/consent']");
        Assert.NotNull(form);
        using var response = await victim.Client.PostAsync("/status/consent", new FormUrlEncodedContent(HtmlForms.DefaultValues(form)));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private Task<int> ClaimAsync(long referralId, DateTime at) =>
        WithDbAsync(factory, db => db.ReferralAssignments.Where(a => a.ReferralId == referralId && a.WithdrawalNoticePending)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.WithdrawalNoticeClaimedAt, at)));

    private Task<bool> PendingAsync(long referralId) =>
        WithDbAsync(factory, db => db.ReferralAssignments.AnyAsync(a => a.ReferralId == referralId && a.WithdrawalNoticePending));

    private Task<int> NotifiedEntriesAsync(Guid caseId) =>
        WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.ReferralWithdrawalNotified));

    private static List<ParsedEmail> Notices(string mailbox) =>
        TestMailbox.Smtp.To(mailbox).Where(m => m.MessageId?.StartsWith("referral-withdrawn.", StringComparison.Ordinal) == true).ToList();

    private static async Task<List<ParsedEmail>> NoticesAsync(string mailbox, int count)
    {
        _ = await TestMailbox.Smtp.WaitForAsync(mailbox, count: count + 1);
        var notices = Notices(mailbox);
        Assert.Equal(count, notices.Count);
        return notices;
    }
}

public sealed class SqliteWithdrawalNoticeClaimTests(SmtpSqlitePortalFactory factory)
    : WithdrawalNoticeClaimTests<SmtpSqlitePortalFactory>(factory), IClassFixture<SmtpSqlitePortalFactory>;

public sealed class PostgresWithdrawalNoticeClaimTests(SmtpPostgresPortalFactory factory)
    : WithdrawalNoticeClaimTests<SmtpPostgresPortalFactory>(factory), IClassFixture<SmtpPostgresPortalFactory>;
