using Portal.Core.Crypto;
using Portal.Core.Features.Bundles;
using Portal.Web.Keys;

namespace Portal.Web.Bundles;

public static class BundleSetup
{
    /// <summary>
    /// Evidence bundles: the signing key (Keys:BundleSigningKey as PEM, or bundle-signing.pem in
    /// the key directory; generated only where other keys are), the builder and the access rule.
    /// </summary>
    public static WebApplicationBuilder AddPortalBundles(this WebApplicationBuilder builder)
    {
        var keyOptions = new BundleSigningKeyOptions
        {
            Directory = builder.KeyDirectory(),
            Pem = builder.Configuration["Keys:BundleSigningKey"],
            CreateIfMissing = builder.CreateMissingKeys(),
        };
        builder.Services.AddSingleton(sp => BundleSigningKey.Load(keyOptions, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Keys")));
        builder.Services.AddOptions<BundleOptions>()
            .BindConfiguration(BundleOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<CaseBundleAccess>();
        builder.Services.AddScoped<EvidenceArchiver>();
        builder.Services.AddScoped<BuildCaseBundleHandler>();
        builder.Services.AddScoped<DownloadCaseBundleHandler>();
        builder.Services.AddScoped<CampaignBundleHandler>();
        builder.Services.AddScoped<EvidenceIntegrityAlert>();
        return builder;
    }
}
