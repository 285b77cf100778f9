using System.ComponentModel;
using Hangfire.Common;
using Portal.Core.Email;
using Portal.Core.Features.Routing;

namespace Portal.Web.Jobs;

/// <summary>
/// The referral scheduler the routing feature uses: one job per referral, keyed
/// "routing.referral-&lt;id&gt;", on the routing queue; a referral that already has a job (queued,
/// waiting for a retry, running, or failed and waiting for an admin) is left alone.
/// </summary>
internal sealed class HangfireReferralScheduler(JobQueue queue) : IReferralScheduler
{
    public Task ScheduleAsync(IReadOnlyCollection<long> referralIds, CancellationToken cancellationToken)
    {
        foreach (var id in referralIds.Distinct())
        {
            cancellationToken.ThrowIfCancellationRequested();
            queue.Enqueue(PortalJobKeys.OfReferral(id), Job.FromExpression<RouteReferralJob>(j => j.RunAsync(id, CancellationToken.None)), PortalJobKeys.RoutingQueue, KeyedJob.OncePerKey);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Routes one referral; the handler is idempotent and throws on transient failure (SMTP down), which JobRetries turns into retries.</summary>
public sealed class RouteReferralJob(RouteReferralHandler handler, ILogger<RouteReferralJob> logger)
{
    [DisplayName("Route referral {0}")]
    public async Task RunAsync(long referralId, CancellationToken cancellationToken)
    {
        var outcome = await handler.HandleAsync(referralId, cancellationToken);
        logger.LogInformation("Referral {ReferralId} routing run: {Outcome}.", referralId, outcome);
    }
}

/// <summary>
/// Picks up every referral still waiting (a decision's nudge lost with a crash, an unassigned one
/// due another try, a partner never told). A few get a routing job each; a backlog (after an
/// outage or in a surge) is routed here in batches, which shares the database round trips and
/// the audit append and drains far faster than a job per referral (infra/bench/README.md,
/// referral-routing). A failed batch throws, so the sweep is retried; what was routed stays
/// routed. Runs may overlap: routing is idempotent on the referral's version.
/// </summary>
public sealed class ReferralSweeperJob(PendingReferrals pending, RouteReferralHandler router, IReferralScheduler scheduler, ILogger<ReferralSweeperJob> logger)
{
    public const int BacklogThreshold = 10;
    public const int BatchSize = 100;
    private const int PageSize = 1000;

    [DisplayName("Routing: route referrals left waiting")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Round after round while intake keeps a backlog; a referral is tried once per run, so
        // one that stays waiting (no partner yet) cannot keep the sweep going.
        var tried = new HashSet<long>();
        EmailDeliveryException? refused = null;
        while (true)
        {
            var waiting = (await pending.HandleAsync(cancellationToken, limit: PageSize + tried.Count)).Where(id => !tried.Contains(id)).ToList();
            if (waiting.Count < BacklogThreshold)
            {
                await scheduler.ScheduleAsync(waiting, cancellationToken);
                if (waiting.Count + tried.Count > 0)
                {
                    logger.LogInformation("Referral sweep: {Routed} referral(s) routed in batches, {Scheduled} given a routing job each.", tried.Count, waiting.Count);
                }

                if (refused is not null)
                {
                    throw refused;
                }

                return;
            }

            foreach (var batch in waiting.Chunk(BatchSize))
            {
                try
                {
                    await router.HandleManyAsync(batch, cancellationToken);
                }
                catch (EmailDeliveryException exception) when (exception.RecipientRefused)
                {
                    // A partner's address refused: the other batches still go; the sweep throws at the end.
                    refused ??= exception;
                }
            }

            tried.UnionWith(waiting);
        }
    }
}

/// <summary>Referrals not acknowledged in time go back to routing (next partner) and supervisors are alerted.</summary>
[SingleRun]
public sealed class ReferralEscalationJob(EscalateReferralsHandler escalate, IReferralScheduler scheduler)
{
    [DisplayName("Routing: escalate referrals not acknowledged in time")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var again = await escalate.HandleAsync(cancellationToken);
        await scheduler.ScheduleAsync(again, cancellationToken);
    }
}
