using System.ComponentModel;
using Microsoft.Extensions.Options;
using Portal.Core.Email;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.CaseFile;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Intake;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Messaging;
using Portal.Core.Features.Reports;
using Portal.Core.Features.Retention;
using Portal.Core.Features.Supervision;

namespace Portal.Web.Jobs;

// The portal's jobs. Hangfire stores a job as its type and method, so renaming either strands the
// jobs stored under the old name (PostgreSQL keeps them across a deploy): add, do not rename.
// Each job is a thin shell around a Core handler that is idempotent on its rows; a failure throws,
// and JobRetries turns it into retries and, at the end, a visible failure.

/// <summary>Closed cases past the retention period lose their content (docs/decisions/0012).</summary>
[SingleRun]
public sealed class RetentionJob(ApplyRetentionHandler handler, ILogger<RetentionJob> logger)
{
    [DisplayName("Retention: remove the content of old closed cases")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var result = await handler.HandleAsync(cancellationToken);
        logger.LogInformation("Retention removed the content of {Cases} closed case(s) and {Files} evidence file(s).", result.CasesRetained, result.FilesDeleted);
    }
}

[SingleRun]
public sealed class DailyDigestJob(SendDailyDigestHandler handler, ILogger<DailyDigestJob> logger)
{
    [DisplayName("Daily summary for supervisors")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var recipients = await handler.HandleAsync(cancellationToken);
        logger.LogInformation("Daily digest sent to {Recipients} supervisor(s).", recipients);
    }
}

/// <summary>
/// Alerts to supervisors: once per case, an urgent case unclaimed for Triage:UrgentUnclaimedFlag;
/// and an evidence integrity alert that the request which found the damage could not send.
/// </summary>
[SingleRun]
public sealed class UrgentUnclaimedAlertJob(AlertUrgentUnclaimedHandler handler, EvidenceIntegrityAlert integrity, ILogger<UrgentUnclaimedAlertJob> logger)
{
    [DisplayName("Alert: urgent cases nobody has claimed, damaged evidence")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var integrityAlerts = await integrity.SendPendingAsync(cancellationToken);
        if (integrityAlerts > 0)
        {
            logger.LogInformation("Supervisors alerted about damaged evidence in {Cases} case(s) after the first try failed.", integrityAlerts);
        }

        var cases = await handler.HandleAsync(cancellationToken);
        if (cases > 0)
        {
            logger.LogInformation("Supervisors alerted about {Cases} urgent case(s) waiting unclaimed.", cases);
        }
    }
}

/// <summary>
/// Sends the "there is an update" emails that messages and forwarded evidence leave pending (their
/// use cases nudge this job after committing), and new receipt keys victims asked for by email.
/// The only sender of these emails, one run at a time; a failure throws, so the engine retries and
/// finally reports it.
/// </summary>
[SingleRun]
public sealed class VictimNotificationJob(NotifyVictimsHandler handler, SendNewReceiptKeysHandler newKeys, ILogger<VictimNotificationJob> logger)
{
    [DisplayName("Messages: pending update emails to victims")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // A victim's address the mail server refused stops neither kind: the updates still go
        // after a key was refused, and the refusal is thrown once both are done, so it is retried.
        var keys = 0;
        EmailDeliveryException? refused = null;
        try
        {
            keys = await newKeys.HandleAsync(cancellationToken);
        }
        catch (EmailDeliveryException exception) when (exception.RecipientRefused)
        {
            refused = exception;
        }

        var sent = await handler.HandleAsync(null, cancellationToken);
        if (sent + keys > 0)
        {
            logger.LogInformation("Sent {Emails} pending update email(s) and {Keys} new receipt key(s) to victims.", sent, keys);
        }

        if (refused is not null)
        {
            throw refused;
        }
    }
}

/// <summary>Keeps campaigns current as reports and evidence arrive (docs/decisions/0015).</summary>
[SingleRun]
public sealed class CampaignRecomputeJob(RecomputeCampaignsHandler handler, ILogger<CampaignRecomputeJob> logger)
{
    [DisplayName("Campaigns: recompute from the cases' indicators")]
    public async Task RunAsync(CancellationToken cancellationToken)
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
[SingleRun]
public sealed class DeadlineReminderJob(SendDeadlineRemindersHandler handler)
{
    [DisplayName("Case file: remind victims of published deadlines")]
    public async Task RunAsync(CancellationToken cancellationToken) =>
        await handler.HandleAsync(cancellationToken);
}

/// <summary>
/// Reads evidence waiting for analysis, in batches, until none is left. A file whose reading
/// throws stays pending (its attempt was counted) and is given up after its attempts; the others
/// are not held back by it. One run at a time, on any node: two at once would both count an
/// attempt on the same file (the claim counts, it does not reserve) and race each other's
/// inserts of a case's indicators. A run that finds one going ends at once; the going one reads
/// until nothing is pending, and the dispatcher's next look finds anything it missed.
/// </summary>
[SingleRun]
public sealed class EvidenceAnalysisJob(AnalyseEvidenceHandler handler, ILogger<EvidenceAnalysisJob> logger)
{
    private const int BatchSize = 50;

    [DisplayName("Evidence: read emails waiting for analysis")]
    public async Task RunAsync(CancellationToken cancellationToken)
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
                    // Left pending for the next run, which counts another attempt.
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

/// <summary>
/// Removes what interrupted uploads left (a temporary or unreferenced file older than Evidence:AbandonedUploadAge;
/// start-up does the same before the portal serves), and receipt copies and report drafts past their time.
/// </summary>
[SingleRun]
public sealed class EvidenceCleanupJob(EvidenceRecovery recovery, ForgetExpiredCopiesHandler expired, IOptions<EvidenceOptions> options, ILogger<EvidenceCleanupJob> logger)
{
    [DisplayName("Cleanup: abandoned uploads, expired receipt copies and drafts")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var report = await recovery.RunAsync(options.Value.AbandonedUploadAge, cancellationToken);
        if (report.Completed + report.Removed + report.Orphans > 0)
        {
            logger.LogInformation("Evidence cleanup: {Completed} upload(s) completed, {Removed} abandoned and {Orphans} unreferenced file(s) removed.", report.Completed, report.Removed, report.Orphans);
        }

        var (receipts, drafts) = await expired.HandleAsync(cancellationToken);
        if (receipts + drafts > 0)
        {
            logger.LogInformation("Cleanup: {Receipts} expired receipt copy(ies) and {Drafts} expired draft(s) deleted.", receipts, drafts);
        }
    }
}

/// <summary>
/// Reads the forwarding intake mailbox (docs/decisions/0026): everything is in the handler; a run
/// waits in IDLE for new mail up to Intake:RunTime and ends when the portal stops. One run at a time.
/// </summary>
[SingleRun]
public sealed class ForwardingIntakeJob(ReadIntakeMailboxHandler handler, IHostApplicationLifetime lifetime, ILogger<ForwardingIntakeJob> logger)
{
    [DisplayName("Evidence: read the forwarding intake mailbox")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var run = await handler.HandleAsync(lifetime.ApplicationStopping, cancellationToken);
        if (run.Messages > 0)
        {
            logger.LogInformation(
                "Forwarding intake: {Messages} message(s) read; {Stored} file(s) stored, {Duplicates} already there, {Refused} refused, {Unknown} to no valid address, {Loops} automatic dropped.",
                run.Messages, run.Stored, run.Duplicates, run.Refused, run.UnknownAddress, run.Loops);
        }
    }
}

/// <summary>Emails admins that a job failed for good; enqueued by <see cref="JobRetries"/>.</summary>
public sealed class NotifyJobFailureJob(JobFailuresHandler failures, NotifyJobFailureHandler notify)
{
    [DisplayName("Email the admins: job failure {0}")]
    public async Task RunAsync(long failureId, CancellationToken cancellationToken)
    {
        if (await failures.FindAsync(failureId, cancellationToken) is { } failure)
        {
            await notify.HandleAsync(failure.Id, failure.JobKey, failure.Subject, failure.Attempts, failure.ErrorType, cancellationToken);
        }
    }
}
