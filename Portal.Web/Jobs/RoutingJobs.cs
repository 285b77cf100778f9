using System.Globalization;
using Portal.Core.Features.Routing;
using Quartz;

namespace Portal.Web.Jobs;

/// <summary>
/// The referral scheduler the routing feature calls after its transaction commits: one job per
/// referral (key "routing.referral-&lt;id&gt;"); a referral that already has a job is left alone.
/// </summary>
internal sealed class QuartzReferralScheduler(ISchedulerFactory schedulers) : IReferralScheduler
{
    public static JobKey KeyOf(long referralId) => new(ReferralJobNames.Name(referralId), ReferralJobNames.Group);

    public async Task ScheduleAsync(IReadOnlyCollection<long> referralIds, CancellationToken cancellationToken)
    {
        if (referralIds.Count == 0)
        {
            return;
        }

        var scheduler = await schedulers.GetPortalScheduler(cancellationToken);
        foreach (var id in referralIds.Distinct())
        {
            var text = id.ToString(CultureInfo.InvariantCulture);
            await JobQueue.EnqueueAsync<RouteReferralJob>(scheduler, KeyOf(id), $"referral {text}", new Dictionary<string, string> { [RouteReferralJob.ReferralId] = text }, cancellationToken);
        }
    }
}

/// <summary>Routes one referral; the handler is idempotent and throws on transient failure (SMTP down), which the retry middleware turns into retries.</summary>
internal sealed class RouteReferralJob(RouteReferralHandler handler, ILogger<RouteReferralJob> logger) : IJob
{
    public const string ReferralId = "portal.referral-id";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var id = long.Parse(context.MergedJobDataMap.GetString(ReferralId) ?? "0", CultureInfo.InvariantCulture);
        var outcome = await handler.HandleAsync(id, cancellationToken);
        logger.LogInformation("Referral {ReferralId} routing run: {Outcome}.", id, outcome);
    }
}

/// <summary>
/// Picks up every referral still waiting (a crash between commit and scheduling, an unassigned
/// one due another try). A few get a routing job each; a backlog (after an outage or in a surge)
/// is routed here in batches, which shares the database round trips and the audit append and
/// drains far faster than a job per referral (infra/bench/README.md, referral-routing). A failed
/// batch throws, so the engine retries the sweep; what was routed stays routed.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class ReferralSweeperJob(PendingReferrals pending, RouteReferralHandler router, IReferralScheduler scheduler, ILogger<ReferralSweeperJob> logger) : IJob
{
    public const int BacklogThreshold = 10;
    public const int BatchSize = 100;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var waiting = await pending.HandleAsync(cancellationToken);
        if (waiting.Count < BacklogThreshold)
        {
            await scheduler.ScheduleAsync(waiting, cancellationToken);
            if (waiting.Count > 0)
            {
                logger.LogInformation("Referral sweep: {Count} referral(s) waiting, each has a routing job.", waiting.Count);
            }

            return;
        }

        foreach (var batch in waiting.Chunk(BatchSize))
        {
            await router.HandleManyAsync(batch, cancellationToken);
        }

        logger.LogInformation("Referral sweep: routed a backlog of {Count} referral(s) in batches of {BatchSize}.", waiting.Count, BatchSize);
    }
}

/// <summary>Referrals not acknowledged in time go back to routing (next partner) and supervisors are alerted.</summary>
[DisallowConcurrentExecution]
internal sealed class ReferralEscalationJob(EscalateReferralsHandler escalate, IReferralScheduler scheduler) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var again = await escalate.HandleAsync(cancellationToken);
        await scheduler.ScheduleAsync(again, cancellationToken);
    }
}
