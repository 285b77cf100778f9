using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Retention;
using Portal.Core.Features.Routing;
using Portal.Core.Features.Supervision;

namespace Portal.Web.Jobs;

public static class JobsSetup
{
    /// <summary>Hangfire's tables in the portal's PostgreSQL database live in a schema of their own.</summary>
    public const string PostgresSchema = "hangfire";

    /// <summary>
    /// Hangfire with its storage: in memory for the embedded default, the portal's PostgreSQL
    /// database (schema "hangfire") when Database:Provider is Postgres (docs/decisions/0024).
    /// Every Hangfire service is the portal's own instance rather than Hangfire's static one,
    /// so that each portal in a process (the tests run many) has its own storage and filters.
    /// With Jobs:Enabled=false no server runs here; jobs are still enqueued.
    /// </summary>
    public static WebApplicationBuilder AddPortalJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.RetryMaxDelay >= o.RetryBaseDelay, "Jobs:RetryMaxDelay must not be shorter than Jobs:RetryBaseDelay.")
            .Validate(o => o.ServerTimeout > o.HeartbeatInterval, "Jobs:ServerTimeout must be longer than Jobs:HeartbeatInterval.")
            .Validate(o => o.Schedules.All(s => !string.IsNullOrWhiteSpace(s)), "Every Jobs:*Schedule needs a cron expression.")
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
        builder.Services.AddScoped<DueWorkQuery>();
        builder.Services.AddScoped<RecordJobCommandHandler>();

        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

        builder.Services.AddSingleton<JobStorage>(sp =>
        {
            // Hangfire's serializer settings are applied when its configuration is first asked for.
            sp.GetRequiredService<IGlobalConfiguration>();
            return CreateStorage(database, sp.GetRequiredService<IOptions<JobsOptions>>().Value);
        });
        builder.Services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddSingleton<JobRetries>();
        builder.Services.AddSingleton<IJobFilterProvider>(sp =>
        {
            // Instead of Hangfire's global filters: no AutomaticRetry (JobRetries decides), and
            // statistics for the dashboard's charts.
            var filters = new JobFilterCollection
            {
                new StatisticsHistoryAttribute(),
                sp.GetRequiredService<JobRetries>(),
                new JobKeyIndex(),
            };
            return new JobFilterProviderCollection(filters, new JobFilterAttributeFilterProvider());
        });
        builder.Services.AddSingleton(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>(), sp.GetRequiredService<IJobFilterProvider>()));
        builder.Services.AddSingleton<IBackgroundJobClient>(sp => sp.GetRequiredService<BackgroundJobClient>());
        builder.Services.AddSingleton<IBackgroundJobClientV2>(sp => sp.GetRequiredService<BackgroundJobClient>());
        builder.Services.AddSingleton(sp => new RecurringJobManager(sp.GetRequiredService<JobStorage>(), sp.GetRequiredService<IJobFilterProvider>(), new DefaultTimeZoneResolver()));
        builder.Services.AddSingleton<IRecurringJobManager>(sp => sp.GetRequiredService<RecurringJobManager>());
        builder.Services.AddHangfire((sp, configuration) => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogging(sp.GetRequiredService<ILoggerFactory>())));

        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddSingleton<PortalRecurringJobs>();

        // Replaces routing's logging stand-in, whichever setup ran first.
        builder.Services.RemoveAll<IReferralScheduler>();
        builder.Services.AddSingleton<IReferralScheduler, HangfireReferralScheduler>();
        builder.Services.AddSingleton<FollowUpDispatcher>();
        builder.Services.AddSingleton<IFollowUpSignal>(sp => sp.GetRequiredService<FollowUpDispatcher>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FollowUpDispatcher>());

        if (options.Enabled)
        {
            builder.Services.AddHostedService<RecurringJobsRegistration>();
            builder.Services.AddHostedService<ForwardingIntakeWatcher>();
            builder.Services.AddHangfireServer((sp, server) =>
            {
                var settings = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
                Configure(server, settings);
                server.WorkerCount = settings.Workers;
                server.Queues = PortalJobKeys.Queues;
            });
            if (options.RoutingWorkers > 0)
            {
                // Workers only (no schedulers of its own: the general server's serve both), on the routing queue alone.
                builder.Services.AddHangfireServer((sp, server) =>
                {
                    var settings = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
                    Configure(server, settings);
                    server.ServerName = Environment.MachineName + "-routing";
                    server.IsLightweightServer = true;
                    server.WorkerCount = settings.RoutingWorkers;
                    server.Queues = [PortalJobKeys.RoutingQueue];
                });
            }

            builder.Services.AddHealthChecks().AddCheck<JobStorageHealthCheck>("jobs", tags: ["ready"]);
        }

        builder.AddJobsDashboardPolicy();
        return builder;
    }

    private static void Configure(BackgroundJobServerOptions server, JobsOptions settings)
    {
        server.SchedulePollingInterval = settings.SchedulePollingInterval;
        server.HeartbeatInterval = settings.HeartbeatInterval;
        server.ServerCheckInterval = settings.ServerCheckInterval;
        server.ServerTimeout = settings.ServerTimeout;
    }

    /// <summary>
    /// The embedded default keeps jobs in memory: the portal database holds every job's effect and
    /// the follow-up dispatcher enqueues again whatever a restart lost. PostgreSQL keeps them in the
    /// portal's database, shared by every node; a job whose node died is taken over once its
    /// invisibility timeout (which slides while it runs) has passed.
    /// </summary>
    private static JobStorage CreateStorage(DatabaseOptions database, JobsOptions options)
    {
        if (database.Provider != DatabaseProvider.Postgres)
        {
            return new InMemoryStorage(new InMemoryStorageOptions { IdType = InMemoryStorageIdType.Long });
        }

        var connectionString = database.ConnectionString
            ?? throw new InvalidOperationException("Database:ConnectionString is required when Database:Provider is Postgres.");
        var postgres = new PostgreSqlStorageOptions
        {
            SchemaName = PostgresSchema,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = options.QueuePollInterval,
            EnableLongPolling = true,
            InvisibilityTimeout = options.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, postgres, null), postgres);
    }
}

/// <summary>Ready only while jobs can be enqueued: the job storage answers.</summary>
internal sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = storage.GetConnection();
            connection.GetAllEntriesFromHash("portal:health");
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The job storage cannot be reached ({exception.GetType().Name})."));
        }
    }
}
