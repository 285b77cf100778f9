using Microsoft.Extensions.Options;
using Portal.Core.Email;
using Portal.Web.Data;

namespace Portal.Web.Email;

public static class EmailSetup
{
    /// <summary>
    /// SMTP over TLS when Email:Host is set; otherwise .eml files in data/outbox, so a Development
    /// run sends nothing off the machine. Outside Development that fallback is logged at start-up,
    /// because mail then waits in a folder instead of reaching anyone, and a connection without
    /// TLS is refused unless Email:AllowInsecure says otherwise (checked at start).
    /// </summary>
    public static WebApplicationBuilder AddPortalEmail(this WebApplicationBuilder builder)
    {
        var outbox = Path.Combine(builder.PortalPaths().DataDirectory, "outbox");
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.Section)
            .PostConfigure(o =>
            {
                o.PickupDirectory ??= outbox;
                o.AllowInsecure ??= development;
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
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
        else if (!string.IsNullOrWhiteSpace(options.Host) && options.AllowInsecure == true && !app.Environment.IsDevelopment())
        {
            app.Logger.LogWarning("Email:AllowInsecure is set: email to {Host} may travel unencrypted (Email:Security is {Security}).", options.Host, options.Security);
        }
    }
}
