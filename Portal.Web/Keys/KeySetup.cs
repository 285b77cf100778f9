using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Crypto;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Reports;
using Portal.Web.Data;
using Portal.Core.Features.Audit;

namespace Portal.Web.Keys;

public static class KeySetup
{
    /// <summary>
    /// Master keys and MAC secrets come from a directory outside the database (a mounted secret in
    /// production). Only Development, or an explicit Keys:CreateIfMissing, generates missing ones.
    /// </summary>
    public static WebApplicationBuilder AddPortalKeys(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Keys");
        var options = new KeyRingOptions
        {
            Directory = builder.KeyDirectory(),
            ActiveMasterKeyId = section["ActiveMasterKeyId"],
            CreateIfMissing = builder.CreateMissingKeys(),
            MasterKeys = Values(section.GetSection("MasterKeys")),
            Secrets = Values(section.GetSection("Secrets")),
        };

        builder.Services.AddSingleton<IKeySource>(sp => KeyRing.Load(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Keys")));
        builder.Services.AddSingleton<EnvelopeCipher>();
        builder.Services.AddSingleton<ReceiptHasher>();
        builder.Services.AddSingleton<SubjectFingerprint>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Keys:Directory, or keys/ in the data directory.</summary>
    public static string KeyDirectory(this WebApplicationBuilder builder) =>
        builder.Configuration["Keys:Directory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
            : builder.PortalPaths().KeysDirectory;

    /// <summary>Keys:CreateIfMissing, true by default in Development only.</summary>
    public static bool CreateMissingKeys(this WebApplicationBuilder builder) =>
        builder.Configuration.GetValue<bool?>("Keys:CreateIfMissing") ?? builder.Environment.IsDevelopment();

    private static Dictionary<string, string> Values(IConfigurationSection section) =>
        section.GetChildren().Where(c => c.Value is { Length: > 0 }).ToDictionary(c => c.Key, c => c.Value ?? "", StringComparer.Ordinal);

    /// <summary>
    /// Loads the key ring before the first request, so a server without its keys stops at start-up
    /// with a clear message instead of failing on a victim's submission.
    /// </summary>
    public static bool EnsurePortalKeys(this WebApplication app)
    {
        if (PortalKeysProblem(app.Services) is not { } problem)
        {
            return true;
        }

        Console.Error.WriteLine($"Portal cannot start: {problem}");
        return false;
    }

    /// <summary>Null when every key the portal uses loads (or is generated, where allowed); otherwise what is wrong, in one line.</summary>
    public static string? PortalKeysProblem(IServiceProvider services) => KeysProblem(() =>
    {
        var keys = services.GetRequiredService<IKeySource>();
        keys.GetSecret(ReceiptHasher.SecretName);
        keys.GetSecret(AuditTrail.SecretName);
        services.GetRequiredService<BundleSigningKey>();
        keys.GetSecret(SubjectFingerprint.SecretName);
    });

    /// <summary>Null when the master key and this one MAC secret load; otherwise what is wrong, in one line.</summary>
    public static string? SecretProblem(IServiceProvider services, string name) =>
        KeysProblem(() => services.GetRequiredService<IKeySource>().GetSecret(name));

    private static string? KeysProblem(Action load)
    {
        try
        {
            load();
            return null;
        }
        catch (InvalidOperationException exception)
        {
            // Configuration, not a bug: the message says what is missing, a stack trace would bury it.
            return exception.Message;
        }
    }
}
