using Microsoft.Extensions.Options;
using Portal.Core.Features.Jobs;

namespace Portal.Web.Jobs;

/// <summary>
/// Turns follow-up work into Hangfire jobs, so that a job lost (with the embedded default's
/// in-memory store, at a crash or restart) never loses work: the rows are the work.
/// <list type="bullet">
/// <item>Nudges: a use case that committed follow-up rows nudges after its commit; the matching
/// sweep is enqueued at once (a burst of nudges becomes one sweep: the sweeps read every pending row).</item>
/// <item>The recurring dispatcher, on nodes that run jobs: once at start-up and then every
/// Jobs:DispatchInterval it asks the database whether any follow-up work is due (DueWorkQuery)
/// and enqueues the jobs for what is, and only those: an idle portal enqueues nothing.</item>
/// </list>
/// Enqueueing never fails a use case: a nudge that cannot be passed on is logged, and the
/// dispatcher's next look finds the rows.
/// </summary>
internal sealed class FollowUpDispatcher(
    PortalRecurringJobs jobs,
    IServiceScopeFactory scopes,
    IOptions<JobsOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<FollowUpDispatcher> logger) : BackgroundService, IFollowUpSignal
{
    private static readonly (DueWork Work, string Job)[] Sweeps =
    [
        (DueWork.Routing, PortalJobKeys.ReferralSweep),
        (DueWork.EvidenceAnalysis, PortalJobKeys.EvidenceAnalysis),
        (DueWork.VictimNotifications, PortalJobKeys.VictimNotifications),
        (DueWork.UrgentAlerts, PortalJobKeys.UrgentAlert),
        (DueWork.Escalations, PortalJobKeys.ReferralEscalation),
        (DueWork.CampaignActions, PortalJobKeys.CampaignActions),
    ];

    private readonly SemaphoreSlim wake = new(0, 1);
    private int nudged;

    public void Notify(FollowUpWork work)
    {
        var due = work switch
        {
            FollowUpWork.Routing => DueWork.Routing,
            FollowUpWork.EvidenceAnalysis => DueWork.EvidenceAnalysis,
            FollowUpWork.VictimNotifications => DueWork.VictimNotifications,
            FollowUpWork.CampaignActions => DueWork.CampaignActions,
            _ => DueWork.None,
        };
        int before, after;
        do
        {
            before = Volatile.Read(ref nudged);
            after = before | (int)due;
        }
        while (Interlocked.CompareExchange(ref nudged, after, before) != before);

        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake or about to be: the flags above are what counts.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        // Real time: the portal's clock may be a test's that stands still.
        var dispatching = options.Value.Enabled;
        var interval = options.Value.DispatchInterval;
        var nextLook = Environment.TickCount64;
        while (!stoppingToken.IsCancellationRequested)
        {
            var untilLook = TimeSpan.FromMilliseconds(Math.Max(0, nextLook - Environment.TickCount64));
            await wake.WaitAsync(dispatching ? untilLook : Timeout.InfiniteTimeSpan, stoppingToken);
            var due = (DueWork)Interlocked.Exchange(ref nudged, 0);
            if (dispatching && Environment.TickCount64 >= nextLook)
            {
                due |= await DueAsync(stoppingToken);
                nextLook = Environment.TickCount64 + (long)interval.TotalMilliseconds;
            }

            Enqueue(due);
        }
    }

    private async Task<DueWork> DueAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<DueWorkQuery>().HandleAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning("The recurring dispatcher could not read what is due ({ExceptionType}); it looks again in {Interval}", exception.GetType().Name, options.Value.DispatchInterval);
            return DueWork.None;
        }
    }

    private void Enqueue(DueWork due)
    {
        foreach (var (work, job) in Sweeps.Where(s => due.HasFlag(s.Work)))
        {
            try
            {
                jobs.Enqueue(job);
            }
            catch (Exception exception)
            {
                logger.LogWarning("Follow-up {Work} waits for the next look: its job could not be enqueued ({ExceptionType})", work, exception.GetType().Name);
            }
        }
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }
}
