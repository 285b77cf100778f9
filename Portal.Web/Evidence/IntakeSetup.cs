using Microsoft.Extensions.Options;
using Portal.Core.Features.Evidence.Intake;

namespace Portal.Web.Evidence;

public static class IntakeSetup
{
    /// <summary>
    /// The forwarding intake (docs/decisions/0026): off without Intake:Host. Reading without TLS is
    /// refused outside Development unless Intake:AllowInsecure says otherwise (checked at start,
    /// with the address, credentials and CA file). The recurring job that runs the reader is
    /// registered with the other jobs.
    /// </summary>
    public static WebApplicationBuilder AddPortalIntake(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<IntakeOptions>()
            .BindConfiguration(IntakeOptions.Section)
            .PostConfigure(o => o.AllowInsecure ??= development)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IntakeOptions>, IntakeOptionsValidator>();
        builder.Services.AddSingleton<ForwardingAddresses>();
        builder.Services.AddScoped<ReplaceForwardingAddressHandler>();
        builder.Services.AddScoped<StoreForwardedMailHandler>();
        builder.Services.AddScoped<ReadIntakeMailboxHandler>();
        builder.Services.AddSingleton<IntakeEmptyRuns>();
        builder.Services.AddSingleton<WatchIntakeMailbox>();
        return builder;
    }
}
