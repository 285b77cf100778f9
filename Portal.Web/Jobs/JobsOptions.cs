using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Jobs;

/// <summary>The job engine's settings (section "Jobs"); see docs/decisions/0024 for the idle tuning.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>
    /// Runs a Hangfire server (workers, schedulers, the recurring dispatcher) in this process. Off,
    /// jobs are still enqueued: on PostgreSQL another node runs them; with the embedded default's
    /// in-memory store nothing does, and the work waits as rows until a portal with jobs starts.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Jobs run at once in this process.</summary>
    [Range(1, 64)]
    public int Workers { get; set; } = 2;

    /// <summary>
    /// Workers of their own for the routing queue (the referral sweep, each referral's job, the
    /// escalation and the urgent alert), on top of <see cref="Workers"/>: a crisis referral never
    /// waits while long jobs (a campaign action, the intake reading a backlog, evidence analysis)
    /// hold every general worker. 0 leaves routing to the general workers, which take it first.
    /// </summary>
    [Range(0, 16)]
    public int RoutingWorkers { get; set; } = 1;

    /// <summary>Attempts in all, the first included, before a job is left failed, recorded and admins are emailed.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>The wait before the first retry; each further retry waits twice as long, up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How far either side of the computed wait a retry may land, as a fraction of it.</summary>
    [Range(0.0, 0.5)]
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>How often delayed jobs (retries) and recurring jobs are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>PostgreSQL: how often an idle worker asks the queue; new jobs wake it at once (LISTEN/NOTIFY).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a server records that it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often servers that stopped heartbeating are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ServerCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A server silent this long is removed from the list (its jobs come back through the invisibility timeout).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// PostgreSQL: a job fetched by a worker that stops renewing its claim (a killed node) is given
    /// to another worker after this long. The claim slides while the job runs, so a long job is never run twice for being long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the recurring dispatcher asks the portal database whether follow-up work is due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Cron (UTC, five fields) of the retention run.</summary>
    [Required]
    public string RetentionSchedule { get; set; } = "30 2 * * *";

    /// <summary>Cron (UTC) of the supervisors' daily digest.</summary>
    [Required]
    public string DigestSchedule { get; set; } = "0 6 * * *";

    /// <summary>Cron (UTC) of the sweep that routes referrals left waiting (the dispatcher starts it within a minute when one is due; this is the safety net).</summary>
    [Required]
    public string ReferralSweepSchedule { get; set; } = "5,35 * * * *";

    /// <summary>Cron (UTC) of the escalation of referrals not acknowledged in time.</summary>
    [Required]
    public string EscalationSchedule { get; set; } = "10,40 * * * *";

    /// <summary>Cron (UTC) of the alert about urgent cases waiting unclaimed.</summary>
    [Required]
    public string UrgentAlertSchedule { get; set; } = "*/15 * * * *";

    /// <summary>Cron (UTC) of the "there is an update" emails that could not be sent at once.</summary>
    [Required]
    public string VictimNotificationSchedule { get; set; } = "15,45 * * * *";

    /// <summary>Cron (UTC) of the reading of evidence still waiting for analysis.</summary>
    [Required]
    public string EvidenceAnalysisSchedule { get; set; } = "20,50 * * * *";

    /// <summary>Cron (UTC) of the removal of abandoned uploads (Evidence:AbandonedUploadAge).</summary>
    [Required]
    public string EvidenceCleanupSchedule { get; set; } = "25,55 * * * *";

    /// <summary>
    /// Cron (UTC) of the reading of the forwarding intake mailbox besides the runs its watcher
    /// starts when mail arrives (ForwardingIntakeWatcher, IMAP IDLE): hourly, for what a lost
    /// connection missed. On PostgreSQL each job run costs the job store about 150 statements, so
    /// an idle portal should not run one every minute. With a server that offers no IDLE (or
    /// Intake:Idle false) the schedule is the only reader: set it to every minute.
    /// </summary>
    [Required]
    public string ForwardingIntakeSchedule { get; set; } = "0 * * * *";

    /// <summary>Cron (UTC) of the recomputation of campaigns from the cases' indicators.</summary>
    [Required]
    public string CampaignRecomputeSchedule { get; set; } = "7,37 * * * *";

    /// <summary>Cron (UTC) of the reminders of published deadlines to victims who chose email (days before, so hourly is plenty).</summary>
    [Required]
    public string DeadlineReminderSchedule { get; set; } = "40 * * * *";

    /// <summary>Cron (UTC) of the sweep that finishes campaign actions a crash or a lost nudge left unfinished (each is nudged when confirmed, and the dispatcher enqueues it while one is running).</summary>
    [Required]
    public string CampaignActionSchedule { get; set; } = "3,33 * * * *";

    public IEnumerable<string> Schedules =>
    [
        RetentionSchedule, DigestSchedule, ReferralSweepSchedule, EscalationSchedule, UrgentAlertSchedule,
        VictimNotificationSchedule, EvidenceAnalysisSchedule, EvidenceCleanupSchedule, ForwardingIntakeSchedule, CampaignRecomputeSchedule,
        DeadlineReminderSchedule, CampaignActionSchedule,
    ];
}
