using System.Globalization;
using Hangfire.Server;
using Hangfire.States;
using Portal.Core.Features.Routing;

namespace Portal.Web.Jobs;

/// <summary>
/// Every piece of work has a key ("group.name") that outlives the Hangfire job running it: the
/// queue keeps one live job per key, JobFailures records failures by it, and the daily digest
/// reads a referral's failure back by it. Recurring jobs are keyed "recurring.&lt;id&gt;".
/// </summary>
public static class PortalJobKeys
{
    public const string RecurringGroup = "recurring";
    public const string NotificationsGroup = "notifications";

    /// <summary>The recurring jobs' ids, as the dashboard lists them.</summary>
    public const string Retention = "retention";
    public const string DailyDigest = "daily-digest";
    public const string UrgentAlert = "urgent-unclaimed-alert";
    public const string ReferralSweep = "referral-sweep";
    public const string ReferralEscalation = "referral-escalation";
    public const string VictimNotifications = "victim-notifications";
    public const string CampaignRecompute = "campaign-recompute";
    public const string EvidenceAnalysis = "evidence-analysis";
    public const string EvidenceCleanup = "evidence-cleanup";
    public const string DeadlineReminders = "deadline-reminders";
    public const string CampaignActions = "campaign-actions";

    /// <summary>Only where there is an intake mailbox (Intake:Host).</summary>
    public const string ForwardingIntake = "forwarding-intake";

    public static readonly IReadOnlyList<string> Recurring =
        [Retention, DailyDigest, UrgentAlert, ReferralSweep, ReferralEscalation, VictimNotifications, CampaignRecompute, EvidenceAnalysis, EvidenceCleanup, DeadlineReminders, CampaignActions];

    /// <summary>Job parameter: the key of a job enqueued by the portal.</summary>
    public const string KeyParameter = "PortalKey";

    /// <summary>Job parameter Hangfire sets on a job created from a recurring job.</summary>
    public const string RecurringJobIdParameter = "RecurringJobId";

    /// <summary>Job parameter: failed attempts so far (reset when an admin requeues the job).</summary>
    public const string FailedAttemptsParameter = "PortalFailedAttempts";

    /// <summary>Queues, in the order a worker takes from them: routing first, so a referral never waits behind a long job that is queued.</summary>
    public const string RoutingQueue = "routing";
    public const string DefaultQueue = EnqueuedState.DefaultQueue;
    public static readonly string[] Queues = [RoutingQueue, DefaultQueue];

    public static string OfRecurring(string recurringJobId) => $"{RecurringGroup}.{recurringJobId}";

    public static string OfReferral(long referralId) => $"{ReferralJobNames.Group}.{ReferralJobNames.Name(referralId)}";

    public static string OfFailureNotification(long failureId) => $"{NotificationsGroup}.job-failed-{failureId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A job's key from its parameters: its own, or its recurring job's; null for a job the portal did not key.</summary>
    public static string? Of(Func<string, string?> parameter) =>
        parameter(KeyParameter) is { Length: > 0 } key
            ? key
            : parameter(RecurringJobIdParameter) is { Length: > 0 } recurring ? OfRecurring(recurring) : null;

    /// <summary>The key of the job a server filter runs.</summary>
    public static string? Of(PerformContext context) => Of(name => context.GetJobParameter<string>(name, allowStale: true));
}
