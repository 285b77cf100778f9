using Microsoft.Extensions.Options;
using Portal.Core.Features.Evidence.Intake;

namespace Portal.Web.Jobs;

/// <summary>
/// Starts the forwarding intake's job when mail arrives (docs/decisions/0026): one IMAP connection
/// per node waits in IDLE, outside the job engine, so an idle portal runs no job and issues no
/// statement for it; the schedule (hourly by default) only catches what a lost connection missed.
/// Every node watches; the job runs one at a time across them. Off where the server offers no
/// IDLE or Intake:Idle is false: the schedule reads the mailbox then.
/// </summary>
internal sealed class ForwardingIntakeWatcher(
    WatchIntakeMailbox watch,
    PortalRecurringJobs jobs,
    IOptions<IntakeOptions> intake,
    TimeProvider clock,
    ILogger<ForwardingIntakeWatcher> logger) : BackgroundService
{
    /// <summary>How long to wait before connecting again after the mailbox could not be reached.</summary>
    public static readonly TimeSpan Reconnect = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!intake.Value.Enabled || !intake.Value.Idle)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await watch.WatchAsync(() => jobs.Enqueue(PortalJobKeys.ForwardingIntake), stoppingToken))
                {
                    logger.LogInformation("The intake mailbox's server offers no IDLE: forwarded mail is read on Jobs:ForwardingIntakeSchedule only.");
                    return;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong (the server, the network, a timeout, the job store), the
                // watcher connects again later: an exception leaving a hosted service stops the
                // portal. An intake failure's message names the server and the step, never a
                // message's content; of anything else only its type is logged.
                var reason = exception is IntakeMailboxException ? exception.Message : exception.GetType().Name;
                logger.LogWarning("Watching the intake mailbox failed ({Reason}); trying again in {Minutes} minute(s).", reason, Reconnect.TotalMinutes);
                try
                {
                    await Task.Delay(Reconnect, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
