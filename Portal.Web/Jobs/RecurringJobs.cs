using System.Globalization;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.CaseFile;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Messaging;
using Portal.Core.Features.Retention;
using Portal.Core.Features.Supervision;
using Quartz;

namespace Portal.Web.Jobs;

/// <summary>Closed cases past the retention period lose their content (docs/decisions/0012).</summary>
[DisallowConcurrentExecution]
internal sealed class RetentionJob(ApplyRetentionHandler handler, ILogger<RetentionJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var result = await handler.HandleAsync(cancellationToken);
        logger.LogInformation("Retention removed the content of {Cases} closed case(s) and {Files} evidence file(s).", result.CasesRetained, result.FilesDeleted);
    }
}

[DisallowConcurrentExecution]
internal sealed class DailyDigestJob(SendDailyDigestHandler handler, ILogger<DailyDigestJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var recipients = await handler.HandleAsync(cancellationToken);
        logger.LogInformation("Daily digest sent to {Recipients} supervisor(s).", recipients);
    }
}

/// <summary>Once per case: an urgent case unclaimed for Triage:UrgentUnclaimedFlag alerts supervisors.</summary>
[DisallowConcurrentExecution]
internal sealed class UrgentUnclaimedAlertJob(AlertUrgentUnclaimedHandler handler, ILogger<UrgentUnclaimedAlertJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var cases = await handler.HandleAsync(cancellationToken);
        if (cases > 0)
        {
            logger.LogInformation("Supervisors alerted about {Cases} urgent case(s) waiting unclaimed.", cases);
        }
    }
}

/// <summary>
/// Sends the "there is an update" emails that could not go when the message was written (the
/// SMTP server was down); a failure throws, so the engine retries and finally reports it.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class VictimNotificationJob(NotifyVictimsHandler handler, ILogger<VictimNotificationJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var sent = await handler.HandleAsync(null, cancellationToken);
        if (sent > 0)
        {
            logger.LogInformation("Sent {Emails} pending update email(s) to victims.", sent);
        }
    }
}

/// <summary>Keeps campaigns current as reports and evidence arrive (docs/decisions/0015).</summary>
[DisallowConcurrentExecution]
internal sealed class CampaignRecomputeJob(RecomputeCampaignsHandler handler, ILogger<CampaignRecomputeJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var result = await handler.HandleAsync(cancellationToken);
        logger.LogInformation("Campaigns recomputed: {Campaigns} in all, {Created} new, {Changed} changed, {Retired} retired.", result.Campaigns, result.Created, result.Changed, result.Retired);
    }
}

/// <summary>
/// Reminds victims who chose email of the deadlines that concern their case, once per deadline,
/// case and stage; the handler claims, sends and marks, so this job only calls it (and a failed
/// send throws, so the engine retries).
/// </summary>
[DisallowConcurrentExecution]
internal sealed class DeadlineReminderJob(SendDeadlineRemindersHandler handler) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await handler.HandleAsync(cancellationToken);
}

/// <summary>
/// Reads evidence waiting for analysis, in batches, until none is left. A file whose reading
/// throws stays pending (its attempt was counted) and is given up after its attempts; the others
/// are not held back by it.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class EvidenceAnalysisJob(AnalyseEvidenceHandler handler, ILogger<EvidenceAnalysisJob> logger) : IJob
{
    private const int BatchSize = 50;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var read = 0;
        var failed = 0;
        var tried = new HashSet<Guid>();
        while (true)
        {
            var pending = (await handler.PendingAsync(BatchSize + tried.Count, cancellationToken)).Where(tried.Add).Take(BatchSize).ToList();
            if (pending.Count == 0)
            {
                break;
            }

            foreach (var id in pending)
            {
                try
                {
                    await handler.HandleAsync(id, cancellationToken);
                    read++;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // Left pending for the next sweep, which counts another attempt.
                    failed++;
                    logger.LogWarning("Reading evidence {EvidenceId} failed ({ExceptionType}); it stays pending", id, exception.GetType().Name);
                }
            }
        }

        if (read + failed > 0)
        {
            logger.LogInformation("Evidence analysis: {Read} file(s) read, {Failed} failed and left pending.", read, failed);
        }
    }
}

/// <summary>Emails admins that a job failed for good; enqueued by <see cref="JobRetries"/>.</summary>
internal sealed class NotifyJobFailureJob(JobFailuresHandler failures, NotifyJobFailureHandler notify) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var id = long.Parse(context.MergedJobDataMap.GetString(PortalJobKeys.FailureId) ?? "0", CultureInfo.InvariantCulture);
        var failure = await failures.FindAsync(id, cancellationToken);
        if (failure is null)
        {
            return;
        }

        await notify.HandleAsync(failure.Id, failure.JobKey, failure.Subject, failure.Attempts, failure.ErrorType, cancellationToken);
    }
}
