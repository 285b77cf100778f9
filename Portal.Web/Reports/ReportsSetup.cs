using FluentValidation;
using Portal.Core.Features.Guidance;
using Portal.Core.Features.Notices;
using Portal.Core.Features.Reports;
using Portal.Web.Localization;

namespace Portal.Web.Reports;

public static class ReportsSetup
{
    public static WebApplicationBuilder AddPortalReports(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportOptions>()
            .BindConfiguration(ReportOptions.Section)
            .FollowPortalTimeZone(builder.Configuration, "Reports:TimeZone", (o, zone) => o.TimeZone = zone)
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Reports:TimeZone must name a time zone (e.g. Europe/Helsinki).")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidator<SubmitReport>, SubmitReportValidator>();
        builder.Services.AddSingleton<IValidator<PostNotice>, PostNoticeValidator>();
        builder.Services.AddScoped<SubmitReportHandler>();
        builder.Services.AddScoped<OpenCaseWithReceiptHandler>();
        builder.Services.AddScoped<GetCaseStatusHandler>();
        builder.Services.AddScoped<ReportDrafts>();
        builder.Services.AddScoped<ShowReceiptHandler>();
        builder.Services.AddScoped<ForgetExpiredCopiesHandler>();
        builder.Services.AddScoped<ChangeConsentHandler>();
        builder.Services.AddSingleton<IValidator<RequestNewReceiptKey>, RequestNewReceiptKeyValidator>();
        builder.Services.AddScoped<RequestNewReceiptKeyHandler>();
        builder.Services.AddScoped<SendNewReceiptKeysHandler>();
        builder.Services.AddSingleton<VictimTime>();
        builder.Services.AddScoped<ListNoticesHandler>();
        builder.Services.AddScoped<PostNoticeHandler>();
        builder.Services.AddScoped<WithdrawNoticeHandler>();

        // Copied next to the binaries, so the articles are found whatever the working directory.
        var guidanceDirectory = Path.Combine(AppContext.BaseDirectory, "Guidance");
        builder.Services.AddSingleton(_ => GuidanceLibrary.Load(guidanceDirectory));
        return builder;
    }
}
