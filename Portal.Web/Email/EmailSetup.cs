using Microsoft.Extensions.Options;
using Portal.Core.Email;
using Portal.Web.Data;

namespace Portal.Web.Email;

public static class EmailSetup
{
    /// <summary>
    /// SMTP when Email:Host is set; otherwise .eml files in data/outbox, so a Development run
    /// sends nothing off the machine. Outside Development that fallback is logged at start-up,
    /// because mail then waits in a folder instead of reaching anyone.
    /// </summary>
    public static WebApplicationBuilder AddPortalEmail(this WebApplicationBuilder builder)
    {
        var outbox = Path.Combine(builder.PortalPaths().DataDirectory, "outbox");
        builder.Services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.Section)
            .PostConfigure(o => o.PickupDirectory ??= outbox)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        builder.Services.AddSingleton<EmailComposer>();
        return builder;
    }

    public static void LogPortalEmailMode(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<EmailOptions>>().Value;
        if (string.IsNullOrWhiteSpace(options.Host) && !app.Environment.IsDevelopment())
        {
            app.Logger.LogWarning("Email:Host is not set: email is written to {PickupDirectory} and not sent.", options.PickupDirectory);
        }
    }
}
