using Quartz;

namespace Portal.Web.Jobs;

/// <summary>The keys jobs are stored under, and the job data the engine reads.</summary>
public static class PortalJobKeys
{
    public const string RecurringGroup = "recurring";
    public const string NotificationsGroup = "notifications";

    public static readonly JobKey Retention = new("retention", RecurringGroup);
    public static readonly JobKey DailyDigest = new("daily-digest", RecurringGroup);
    public static readonly JobKey UrgentAlert = new("urgent-unclaimed-alert", RecurringGroup);
    public static readonly JobKey ReferralSweep = new("referral-sweep", RecurringGroup);
    public static readonly JobKey ReferralEscalation = new("referral-escalation", RecurringGroup);
    public static readonly JobKey VictimNotifications = new("victim-notifications", RecurringGroup);
    public static readonly JobKey CampaignRecompute = new("campaign-recompute", RecurringGroup);
    public static readonly JobKey EvidenceAnalysis = new("evidence-analysis", RecurringGroup);
    public static readonly JobKey DeadlineReminders = new("deadline-reminders", RecurringGroup);

    /// <summary>Trigger job data: which attempt this firing is (1 for the first).</summary>
    public const string Attempt = "portal.attempt";

    /// <summary>Job data: what the job is for, as ids ("referral 42"), shown with a failure.</summary>
    public const string Subject = "portal.subject";

    /// <summary>Job data of a failure notification: the JobFailures row it is about.</summary>
    public const string FailureId = "portal.failure-id";

    public static string Name(JobKey key) => $"{key.Group}.{key.Name}";

    public static TriggerKey RecurringTrigger(JobKey job) => new(job.Name, RecurringGroup);
}
