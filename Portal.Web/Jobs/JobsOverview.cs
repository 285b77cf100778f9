using Portal.Core.Data;
using Portal.Core.Features.Jobs;
using Quartz;

namespace Portal.Web.Jobs;

public sealed record RecurringJobRow(string Key, string Name, string? Schedule, DateTimeOffset? NextFire, DateTimeOffset? PreviousFire, TriggerState State);

public sealed record JobsOverview(bool Running, bool Clustered, long StoreCommands, IReadOnlyList<RecurringJobRow> Recurring, IReadOnlyList<JobFailure> Failures);

/// <summary>What the admin jobs page shows: the recurring jobs and their next run, and the recent failures.</summary>
public sealed class JobsOverviewQuery(ISchedulerFactory factory, JobFailuresHandler failures, JobStoreStatements statements)
{
    public static readonly IReadOnlyList<JobKey> RecurringJobs = [PortalJobKeys.UrgentAlert, PortalJobKeys.ReferralSweep, PortalJobKeys.ReferralEscalation, PortalJobKeys.VictimNotifications, PortalJobKeys.CampaignRecompute, PortalJobKeys.CampaignActions, PortalJobKeys.DailyDigest, PortalJobKeys.Retention];

    public async Task<JobsOverview> HandleAsync(CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetPortalScheduler(cancellationToken);
        var rows = new List<RecurringJobRow>();
        foreach (var key in RecurringJobs)
        {
            var triggerKey = PortalJobKeys.RecurringTrigger(key);
            var trigger = await scheduler.GetTrigger(triggerKey, cancellationToken);
            var state = trigger is null ? TriggerState.None : await scheduler.GetTriggerState(triggerKey, cancellationToken);
            rows.Add(new RecurringJobRow(PortalJobKeys.Name(key), key.Name, (trigger as ICronTrigger)?.CronExpressionString, trigger?.NextFireTimeUtc, trigger?.PreviousFireTimeUtc, state));
        }

        var metadata = await scheduler.GetMetadata(cancellationToken);
        return new JobsOverview(
            await scheduler.GetStatus(cancellationToken) == SchedulerStatus.Running,
            metadata.JobStoreClustered,
            statements.Commands,
            rows,
            await failures.RecentAsync(20, cancellationToken));
    }

    /// <summary>Parses "group.name" back into a key, accepting only the jobs an admin may act on.</summary>
    public static JobKey? Parse(string? key)
    {
        var dot = key?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        return key is null || dot <= 0 || dot == key.Length - 1 ? null : new JobKey(key[(dot + 1)..], key[..dot]);
    }
}
