using FluentValidation;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Web.Data;

namespace Portal.Web.Evidence;

public static class EvidenceSetup
{
    public static WebApplicationBuilder AddPortalEvidence(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EvidenceOptions>()
            .BindConfiguration(EvidenceOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var paths = builder.PortalPaths();
        var directory = builder.Configuration["Evidence:Directory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
            : Path.Combine(paths.DataDirectory, "evidence");
        builder.Services.AddSingleton<IEvidenceStore>(sp => new FileEvidenceStore(directory, sp.GetRequiredService<EnvelopeCipher>()));
        builder.Services.AddSingleton<StreamedUploads>();
        builder.Services.AddScoped<AddEvidenceHandler>();
        builder.Services.AddScoped<ListEvidenceHandler>();
        builder.Services.AddScoped<ReadEvidenceHandler>();
        builder.Services.AddScoped<EvidenceRecovery>();
        builder.Services.AddScoped<AnalyseEvidenceHandler>();
        builder.Services.AddSingleton<SealedIndicators>();
        builder.Services.AddScoped<SuggestReportDetailsHandler>();
        builder.Services.AddScoped<ConfirmReportDetailsHandler>();
        builder.Services.AddSingleton<IValidator<ConfirmReportDetails>, ConfirmReportDetailsValidator>();
        builder.Services.AddHealthChecks().AddTypeActivatedCheck<EvidenceStorageHealthCheck>("evidence-storage", failureStatus: null, tags: ["ready"], directory);
        return builder;
    }

    /// <summary>
    /// Before the portal serves: whatever a crash left between an upload's file and its row is
    /// resolved, so no victim or staff member ever sees a half-finished upload. After that the
    /// recurring job EvidenceCleanupJob does the same (Jobs:EvidenceCleanupSchedule).
    /// </summary>
    public static async Task RecoverInterruptedUploadsAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<EvidenceOptions>>().Value;
        await scope.ServiceProvider.GetRequiredService<EvidenceRecovery>().RunAsync(options.AbandonedUploadAge, CancellationToken.None);
    }
}
