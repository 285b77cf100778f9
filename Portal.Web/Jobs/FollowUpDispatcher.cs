using Portal.Core.Features.Jobs;
using Quartz;

namespace Portal.Web.Jobs;

/// <summary>
/// Turns the nudges use cases give after their commit into an immediate run of the sweep that
/// drains that kind of work. A burst of nudges becomes one run (the sweeps read every pending
/// row). A nudge that cannot be passed on is only logged: the rows wait for the sweep's schedule.
/// Once the portal has started, every sweep is run once: whatever a crash left pending (or a
/// nudge lost with the process) is picked up at once instead of at the next scheduled sweep.
/// </summary>
internal sealed class FollowUpDispatcher(ISchedulerFactory schedulers, IHostApplicationLifetime lifetime, ILogger<FollowUpDispatcher> logger) : BackgroundService, IFollowUpSignal
{
    private static readonly FollowUpWork[] Kinds = Enum.GetValues<FollowUpWork>();

    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly int[] pending = new int[Kinds.Length];

    public void Notify(FollowUpWork work)
    {
        Interlocked.Exchange(ref pending[(int)work], 1);
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake or about to be: the flag above is what counts.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        foreach (var kind in Kinds)
        {
            Notify(kind);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await wake.WaitAsync(stoppingToken);
            foreach (var kind in Kinds)
            {
                if (Interlocked.Exchange(ref pending[(int)kind], 0) == 1)
                {
                    await TriggerAsync(kind, stoppingToken);
                }
            }
        }
    }

    private async Task TriggerAsync(FollowUpWork kind, CancellationToken cancellationToken)
    {
        var job = kind switch
        {
            FollowUpWork.Routing => PortalJobKeys.ReferralSweep,
            FollowUpWork.EvidenceAnalysis => PortalJobKeys.EvidenceAnalysis,
            FollowUpWork.VictimNotifications => PortalJobKeys.VictimNotifications,
            FollowUpWork.CampaignActions => PortalJobKeys.CampaignActions,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        try
        {
            var scheduler = await schedulers.GetPortalScheduler(cancellationToken);
            await scheduler.TriggerJob(job, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning("Follow-up {Work} waits for its sweep: the job could not be started now ({ExceptionType})", kind, exception.GetType().Name);
        }
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }
}
