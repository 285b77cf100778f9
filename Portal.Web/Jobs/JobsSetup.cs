using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Retention;
using Portal.Core.Features.Routing;
using Portal.Core.Features.Supervision;
using Portal.Web.Data;
using Quartz;
using Quartz.Impl.AdoJobStore.Common;

namespace Portal.Web.Jobs;

public static class JobsSetup
{
    public const string SchedulerName = "portal";

    /// <summary>The portal's scheduler, built on first use (started by the hosted service when Jobs:Enabled).</summary>
    public static async Task<IScheduler> GetPortalScheduler(this ISchedulerFactory factory, CancellationToken cancellationToken = default) =>
        await factory.GetRequiredScheduler(SchedulerName, cancellationToken);

    /// <summary>
    /// Quartz with its persistent store: a SQLite file of its own (data/jobs.db) in the embedded
    /// default, the portal's PostgreSQL database, clustered, when Database:Provider is Postgres.
    /// Tables are created at start-up. With Jobs:Enabled=false the scheduler is not started here,
    /// but jobs can still be stored for a node that runs it.
    /// </summary>
    public static WebApplicationBuilder AddPortalJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => new[] { o.RetentionSchedule, o.DigestSchedule, o.UrgentAlertSchedule, o.ReferralSweepSchedule, o.EscalationSchedule }.All(cron => CronExpression.TryParse(cron, out _)),
                "Jobs:RetentionSchedule, DigestSchedule, UrgentAlertSchedule, ReferralSweepSchedule and EscalationSchedule must be Quartz cron expressions.")
            .Validate(o => o.RetryMaxDelay >= o.RetryBaseDelay, "Jobs:RetryMaxDelay must not be shorter than Jobs:RetryBaseDelay.")
            .ValidateOnStart();
        builder.Services.AddOptions<RetentionOptions>()
            .BindConfiguration(RetentionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddScoped<StaffRecipients>();
        builder.Services.AddScoped<JobFailuresHandler>();
        builder.Services.AddScoped<NotifyJobFailureHandler>();
        builder.Services.AddScoped<ApplyRetentionHandler>();
        builder.Services.AddScoped<SendDailyDigestHandler>();
        builder.Services.AddScoped<AlertUrgentUnclaimedHandler>();
        builder.Services.AddScoped<JobsOverviewQuery>();

        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var dataDirectory = builder.PortalPaths().DataDirectory;
        var counter = new JobStoreStatements();
        builder.Services.AddSingleton(counter);

        // A named scheduler: its clock is its own (keyed), while the default scheduler would share
        // the container's TimeProvider, which tests replace with a clock that stands still.
        // Handlers read that clock; the scheduler runs on real time.
        builder.Services.AddQuartz(SchedulerName, quartz =>
        {
            quartz.UseTimeProvider(TimeProvider.System);
            quartz.ConfigureScheduler(scheduler => scheduler.IdleWaitTime = options.IdleWaitTime);
            quartz.UseDefaultThreadPool(options.Threads);
            quartz.AddJobMiddleware<JobRetries>();
            quartz.UsePersistentStore(store =>
            {
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
                store.ConfigureStore(o =>
                {
                    o.MisfireThreshold = options.MisfireThreshold;
                    o.MisfireHandlerFrequency = options.MisfireThreshold;
                });
                if (database.Provider == DatabaseProvider.Postgres)
                {
                    var connectionString = database.ConnectionString
                        ?? throw new InvalidOperationException("Database:ConnectionString is required when Database:Provider is Postgres.");
                    store.UsePostgres(connectionString);
                    store.UseConnectionProvider(_ => new CountingDbProvider(new DbProvider(DataSourceOptions.Providers.Npgsql, connectionString), counter));
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = options.ClusterCheckinInterval;
                        cluster.CheckinMisfireThreshold = options.ClusterCheckinMisfireThreshold;
                    });
                }
                else
                {
                    var connectionString = JobsDatabase(dataDirectory);
                    store.UseSqlite(connectionString);
                    store.UseConnectionProvider(_ => new CountingDbProvider(new DbProvider(DataSourceOptions.Providers.Sqlite, connectionString), counter));
                }
            });
            if (options.Enabled)
            {
                quartz.AddQuartzHealthChecks(health =>
                {
                    health.Name = "scheduler";
                    health.Tags.Add("ready");
                });
            }
        });

        // The named scheduler's factory is registered under its name; the rest of the portal asks for one factory.
        builder.Services.AddSingleton(sp => sp.GetRequiredKeyedService<ISchedulerFactory>(SchedulerName));

        // Replaces routing's logging stand-in, whichever setup ran first.
        builder.Services.RemoveAll<IReferralScheduler>();
        builder.Services.AddSingleton<IReferralScheduler, QuartzReferralScheduler>();
        builder.Services.AddSingleton<FollowUpDispatcher>();
        builder.Services.AddSingleton<IFollowUpSignal>(sp => sp.GetRequiredService<FollowUpDispatcher>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FollowUpDispatcher>());

        if (options.Enabled)
        {
            builder.Services.AddHostedService<RecurringJobsRegistration>();
            builder.Services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
        }

        return builder;
    }

    /// <summary>The embedded default's job store: a file of its own, so the scheduler's polling never contends with the portal's writes.</summary>
    public static string JobsDatabase(string dataDirectory) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "jobs.db"),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
}

/// <summary>
/// Stores the recurring jobs with the schedules from configuration before the scheduler starts.
/// A trigger whose schedule did not change is left alone, so a pause an admin chose survives restarts.
/// </summary>
internal sealed class RecurringJobsRegistration(ISchedulerFactory factory, IOptions<JobsOptions> options, ILogger<RecurringJobsRegistration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await factory.GetPortalScheduler(cancellationToken);
        var settings = options.Value;
        await EnsureAsync<RetentionJob>(scheduler, PortalJobKeys.Retention, settings.RetentionSchedule, cancellationToken);
        await EnsureAsync<DailyDigestJob>(scheduler, PortalJobKeys.DailyDigest, settings.DigestSchedule, cancellationToken);
        await EnsureAsync<UrgentUnclaimedAlertJob>(scheduler, PortalJobKeys.UrgentAlert, settings.UrgentAlertSchedule, cancellationToken);
        await EnsureAsync<ReferralSweeperJob>(scheduler, PortalJobKeys.ReferralSweep, settings.ReferralSweepSchedule, cancellationToken);
        await EnsureAsync<ReferralEscalationJob>(scheduler, PortalJobKeys.ReferralEscalation, settings.EscalationSchedule, cancellationToken);
        await EnsureAsync<VictimNotificationJob>(scheduler, PortalJobKeys.VictimNotifications, settings.VictimNotificationSchedule, cancellationToken);
        await EnsureAsync<CampaignRecomputeJob>(scheduler, PortalJobKeys.CampaignRecompute, settings.CampaignRecomputeSchedule, cancellationToken);
        await EnsureAsync<EvidenceAnalysisJob>(scheduler, PortalJobKeys.EvidenceAnalysis, settings.EvidenceAnalysisSchedule, cancellationToken);
        await EnsureAsync<DeadlineReminderJob>(scheduler, PortalJobKeys.DeadlineReminders, settings.DeadlineReminderSchedule, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureAsync<TJob>(IScheduler scheduler, JobKey key, string cron, CancellationToken cancellationToken)
        where TJob : IJob
    {
        var triggerKey = PortalJobKeys.RecurringTrigger(key);
        if (await scheduler.GetTrigger(triggerKey, cancellationToken) is ICronTrigger existing
            && existing.CronExpressionString == cron
            && await scheduler.GetJobDetail(key, cancellationToken) is { } job
            && job.JobType.Type == typeof(TJob))
        {
            return;
        }

        var paused = await scheduler.GetTriggerState(triggerKey, cancellationToken) == TriggerState.Paused;
        var detail = JobBuilder.Create<TJob>().WithIdentity(key).StoreDurably().RequestRecovery().Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(triggerKey)
            .ForJob(key)
            .WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        await scheduler.ScheduleJob(detail, new List<ITrigger> { trigger }, ScheduleJobOptions.Replacing, cancellationToken);
        if (paused)
        {
            await scheduler.PauseTrigger(triggerKey, cancellationToken);
        }

        logger.LogInformation("Recurring job {Job} scheduled: {Cron} (UTC).", PortalJobKeys.Name(key), cron);
    }
}
