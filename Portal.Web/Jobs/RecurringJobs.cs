using System.Globalization;
using Portal.Core.Features.Jobs;
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
