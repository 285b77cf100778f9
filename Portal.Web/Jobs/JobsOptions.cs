using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Jobs;

/// <summary>The job engine's settings (section "Jobs"); see docs/decisions/0012 for the idle tuning.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>Runs the scheduler in this process. Off, jobs are still stored (and run by a node that has it on).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Attempts in all, the first included, before a job is recorded as failed and admins are emailed.</summary>
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

    /// <summary>Jobs run at once in this process.</summary>
    [Range(1, 64)]
    public int Threads { get; set; } = 4;

    /// <summary>How long an idle scheduler waits before asking the store again (new work scheduled in-process wakes it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How late a trigger may fire before its misfire instruction applies; also how often misfires are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>PostgreSQL only: how often a node records that it is alive in the cluster.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PostgreSQL only: how long past a missed check-in before another node recovers this one's jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Cron (Quartz syntax, UTC) of the retention run.</summary>
    [Required]
    public string RetentionSchedule { get; set; } = "0 30 2 * * ?";

    /// <summary>Cron (UTC) of the supervisors' daily digest.</summary>
    [Required]
    public string DigestSchedule { get; set; } = "0 0 6 * * ?";

    /// <summary>Cron (UTC) of the sweep that schedules referrals left without a routing job.</summary>
    [Required]
    public string ReferralSweepSchedule { get; set; } = "15 0/10 * * * ?";

    /// <summary>Cron (UTC) of the escalation of referrals not acknowledged in time.</summary>
    [Required]
    public string EscalationSchedule { get; set; } = "45 5/10 * * * ?";

    /// <summary>Cron (UTC) of the check for urgent cases waiting unclaimed.</summary>
    [Required]
    public string UrgentAlertSchedule { get; set; } = "0 * * * * ?";

    /// <summary>Cron (UTC) of the retry of "there is an update" emails that could not be sent at once.</summary>
    [Required]
    public string VictimNotificationSchedule { get; set; } = "30 2/10 * * * ?";

    /// <summary>Cron (UTC) of the sweep that reads evidence still waiting for analysis (an upload nudges it at once; this catches what a crash left).</summary>
    [Required]
    public string EvidenceAnalysisSchedule { get; set; } = "20 1/5 * * * ?";

    /// <summary>Cron (UTC) of the recomputation of campaigns from the cases' indicators.</summary>
    [Required]
    public string CampaignRecomputeSchedule { get; set; } = "0 7/30 * * * ?";

    /// <summary>Cron (UTC) of the reminders of published deadlines to victims who chose email (days before, so hourly is plenty).</summary>
    [Required]
    public string DeadlineReminderSchedule { get; set; } = "0 40 * * * ?";
}
