using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Jobs;

/// <summary>What an admin did to jobs on the jobs dashboard.</summary>
public enum JobCommand
{
    /// <summary>Enqueued again (a failed, succeeded, deleted or scheduled job).</summary>
    Requeued,
    Deleted,

    /// <summary>A recurring job run now, outside its schedule.</summary>
    Triggered,

    /// <summary>A recurring job removed (it is registered again when a portal starts).</summary>
    RecurringRemoved,
}

/// <summary>
/// Records an admin's command on the jobs dashboard in the audit trail, one entry per job it
/// named (the dashboard, Hangfire's own, has done the change itself by then: it cannot be undone,
/// only recorded). Jobs are named by their Hangfire or recurring id, never by content.
/// </summary>
public sealed class RecordJobCommandHandler(AuditTrail audit)
{
    public const int MaxJobsRecorded = 500;

    public async Task HandleAsync(StaffActor actor, JobCommand command, IReadOnlyCollection<string> jobs, CancellationToken cancellationToken)
    {
        var action = command switch
        {
            JobCommand.Requeued => AuditActions.JobRetried,
            JobCommand.Deleted => AuditActions.JobDeleted,
            JobCommand.Triggered => AuditActions.JobTriggered,
            JobCommand.RecurringRemoved => AuditActions.JobRemoved,
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
        };
        var events = jobs.Take(MaxJobsRecorded).Select(job => actor.Event(action, subject: job)).ToList();
        await audit.AppendManyAsync(events, cancellationToken);
    }
}
