using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;

namespace Portal.Web.Data;

public static class DataSetup
{
    public static WebApplicationBuilder AddPortalData(this WebApplicationBuilder builder)
    {
        var paths = builder.PortalPaths();
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Provider != DatabaseProvider.Postgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Database:ConnectionString is required when Database:Provider is Postgres.")
            .ValidateOnStart();
        // The provider decides the context type (and so the migrations set) at registration.
        var provider = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        builder.Services.AddPortalDbContext(provider, sp => sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, paths.DataDirectory);

        // Data-protection keys (cookies, antiforgery) live in the database so every node shares
        // them, sealed with the master key so a copy of the database alone cannot forge a cookie.
        builder.Services.AddDataProtection().SetApplicationName("Portal");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IServiceScopeFactory, EnvelopeCipher>((options, scopes, cipher) =>
            {
                options.XmlRepository = new DatabaseXmlRepository(scopes);
                options.XmlEncryptor = new MasterKeyXmlEncryptor(cipher);
            });

        builder.Services.AddOptions<StorageHealthOptions>().BindConfiguration(StorageHealthOptions.Section);
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<DatabaseStorageHealthCheck>("database-storage", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Applies migrations (unless turned off) and makes sure the staff roles exist. False when
    /// the storage cannot be written: the reason is logged and the portal should serve only
    /// "out of service" (see <see cref="RunPortalOutOfServiceAsync"/>), not crash in a restart loop.
    /// </summary>
    public static async Task<bool> PreparePortalDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (!options.MigrateOnStart)
        {
            return true;
        }

        try
        {
            await MigrateAsync(app.Services, CancellationToken.None);
            return true;
        }
        catch (Exception exception) when (StorageFailure.Of(exception) is not StorageProblem.None and var problem)
        {
            app.Logger.LogCritical(
                "The portal's storage cannot be written ({Problem}: {ExceptionType}) under {DataDirectory}: every page answers 503 until it is fixed and the portal restarted.",
                problem, exception.GetType().Name, app.Services.GetRequiredService<PortalPaths>().DataDirectory);
            return false;
        }
    }

    /// <summary>
    /// Serves only "out of service" (503 and a short page in the three languages; /health/live
    /// answers) from a bare host on the portal's addresses, without the jobs and services that
    /// would fail on the same storage, until the process is stopped.
    /// </summary>
    public static async Task RunPortalOutOfServiceAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var app = builder.Build();
        app.Run(async context =>
        {
            if (context.Request.Path.Equals("/health/live", StringComparison.OrdinalIgnoreCase))
            {
                await context.Response.WriteAsync("Healthy");
                return;
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "300";
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'none'";
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(OutOfServicePage);
        });
        await app.RunAsync();
    }

    private const string OutOfServicePage = """
        <!DOCTYPE html>
        <html lang="fi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Palvelu ei ole käytettävissä / Service unavailable</title></head>
        <body><main>
        <h1>Palvelu ei ole juuri nyt käytettävissä</h1><p>Mitään ei voida nyt tallentaa. Yritä myöhemmin uudelleen. Jos olet vaarassa, soita 112.</p>
        <h1 lang="sv">Tjänsten är inte tillgänglig just nu</h1><p lang="sv">Ingenting kan sparas just nu. Försök igen senare. Om du är i fara, ring 112.</p>
        <h1 lang="en">The service is not available right now</h1><p lang="en">Nothing can be kept at the moment. Please try again later. If you are in danger, call 112.</p>
        </main></body></html>
        """;

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.GetDbConnection() is SqliteConnection migrated)
        {
            // A migration may switch a connection's settings (a table rebuild turns foreign keys
            // off and on again): its connections are closed, and the ones the portal opens next
            // get the settings anew (they are applied once per pooled connection, decision 0031).
            SqliteConnection.ClearPool(migrated);
        }

        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in StaffRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }
    }

    /// <summary>
    /// Whether the database exists with every migration applied. Asks without creating anything
    /// (a SQLite file is only looked for), so a verb that only reads can refuse an empty directory.
    /// </summary>
    public static async Task<bool> IsMigratedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken)
            && !(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any();
    }

    public static void MapPortalHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
    }

    private sealed class DatabaseHealthCheck(PortalDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await db.Database.CanConnectAsync(cancellationToken)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("The database cannot be reached.");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("The database cannot be reached.");
            }
        }
    }
}
