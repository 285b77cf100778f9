using FluentValidation;
using Microsoft.Extensions.Options;
using Portal.Core.Features.CaseFile;
using Portal.Web.Localization;

namespace Portal.Web.CaseFile;

public static class CaseFileSetup
{
    /// <summary>The victim's case file: diary, documents, deadlines and their reminders, and the download (docs/decisions/0025).</summary>
    public static WebApplicationBuilder AddPortalCaseFile(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CaseFileOptions>()
            .BindConfiguration(CaseFileOptions.Section)
            .FollowPortalTimeZone(builder.Configuration, "CaseFile:TimeZone", (o, zone) => o.TimeZone = zone)
            .ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "CaseFile:TimeZone must name a time zone (e.g. Europe/Helsinki).")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidator<DiaryEntryForm>, DiaryEntryFormValidator>();
        builder.Services.AddScoped<ListDiaryHandler>();
        builder.Services.AddScoped<SaveDiaryEntryHandler>();
        builder.Services.AddScoped<DeleteDiaryEntryHandler>();
        builder.Services.AddScoped<ListDocumentsHandler>();
        builder.Services.AddScoped<ShareDocumentHandler>();
        builder.Services.AddScoped<DeleteDocumentHandler>();
        builder.Services.AddScoped<CaseDeadlinesQuery>();
        builder.Services.AddScoped<SendDeadlineRemindersHandler>();
        builder.Services.AddScoped<ExportCaseFileHandler>();
        builder.Services.AddSingleton<CaseFileFonts>();
        builder.Services.AddSingleton<CaseFilePdf>();
        builder.Services.AddHostedService<CaseFileFontsCheck>();
        return builder;
    }
}

/// <summary>Says at start-up when the case file's fonts are missing (the download then answers that it is unavailable), instead of at a victim's first try.</summary>
internal sealed class CaseFileFontsCheck(CaseFileFonts fonts, IOptions<CaseFileOptions> options, ILogger<CaseFileFontsCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!fonts.Available)
        {
            logger.LogWarning("The case file's fonts {Regular} and {Bold} are not both there: victims cannot download their case file. Install Debian's fonts-dejavu-core or set CaseFile:RegularFont and CaseFile:BoldFont.", options.Value.RegularFont, options.Value.BoldFont);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
