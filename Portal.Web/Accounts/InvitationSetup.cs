using FluentValidation;
using Microsoft.Extensions.Configuration.Memory;
using Portal.Core.Features.Accounts;

namespace Portal.Web.Accounts;

public static class InvitationSetup
{
    /// <summary>The request log category that writes whole URLs, query strings included.</summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static WebApplicationBuilder AddPortalInvitations(this WebApplicationBuilder builder)
    {
        // An invitation link carries a one-time secret in its query string, and the request log
        // writes whole URLs at Information. That log is kept at Warning unless configured
        // otherwise: a default beneath every other source (docs/decisions/0011).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new($"Logging:LogLevel:{RequestLogCategory}", "Warning")],
        });
        builder.Services.AddOptions<InvitationOptions>()
            .BindConfiguration(InvitationOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidator<InviteStaff>, InviteStaffValidator>();
        builder.Services.AddSingleton<IValidator<AcceptInvitation>, AcceptInvitationValidator>();
        builder.Services.AddScoped<InviteStaffHandler>();
        builder.Services.AddScoped<PendingInvitationsHandler>();
        builder.Services.AddScoped<RevokeInvitationHandler>();
        builder.Services.AddScoped<AcceptInvitationHandler>();
        return builder;
    }
}
