using FluentValidation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Data;
using Portal.Core.Features.Partners;
using Portal.Core.Features.Routing;
using Portal.Web.Localization;

namespace Portal.Web.Routing;

public static class RoutingSetup
{
    public static WebApplicationBuilder AddPortalRouting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RoutingOptions>()
            .BindConfiguration(RoutingOptions.Section)
            // A partner's day is the helpline's day unless set apart: one setting names the zone.
            .FollowPortalTimeZone(builder.Configuration, "Routing:DayTimeZone", (o, zone) => o.DayTimeZone = zone)
            .ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.DayTimeZone, out _), "Routing:DayTimeZone is not a known time zone.")
            .ValidateOnStart();
        builder.Services.AddScoped<RouteReferralHandler>();
        builder.Services.AddScoped<PendingReferrals>();
        builder.Services.AddScoped<EscalateReferralsHandler>();
        builder.Services.AddScoped<PartnerMembershipQuery>();
        builder.Services.AddScoped<ListPartnerReferralsHandler>();
        builder.Services.AddScoped<GetPartnerReferralHandler>();
        builder.Services.AddScoped<RespondToReferralHandler>();
        builder.Services.AddScoped<SupervisorReferralsQuery>();
        builder.Services.AddScoped<RetryReferralHandler>();
        builder.Services.AddScoped<PartnersQuery>();
        builder.Services.AddScoped<SavePartnerHandler>();
        builder.Services.AddScoped<DeletePartnerHandler>();
        builder.Services.AddSingleton<IValidator<SavePartner>, SavePartnerValidator>();

        // Stand-in until the job engine registers its scheduler (which then wins, whatever the order).
        builder.Services.TryAddSingleton<IReferralScheduler, LoggingReferralScheduler>();

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(RoutingPolicies.PartnerStaff, policy => policy.RequireRole(StaffRoles.Counsellor, StaffRoles.Police));
        return builder;
    }
}

public static class RoutingPolicies
{
    /// <summary>Counsellors and police: the partner workspace (which then limits each to their organisation).</summary>
    public const string PartnerStaff = "PartnerStaff";
}

/// <summary>
/// Logs what would be scheduled and routes nothing. Only here so the portal starts before the
/// job engine's scheduler exists; referrals wait as pending, where the sweeper will find them.
/// </summary>
internal sealed class LoggingReferralScheduler(ILogger<LoggingReferralScheduler> logger) : IReferralScheduler
{
    public Task ScheduleAsync(IReadOnlyCollection<long> referralIds, CancellationToken cancellationToken)
    {
        if (referralIds.Count > 0)
        {
            logger.LogWarning("No job engine is registered: {Count} referral(s) wait as pending, unrouted", referralIds.Count);
        }

        return Task.CompletedTask;
    }
}
