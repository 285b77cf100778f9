using FluentValidation;
using Portal.Core.Features.Messaging;

namespace Portal.Web.Messaging;

public static class MessagingSetup
{
    public static WebApplicationBuilder AddPortalMessaging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidator<SendMessage>, SendMessageValidator>();
        builder.Services.AddSingleton<IValidator<SaveCannedResponse>, SaveCannedResponseValidator>();
        builder.Services.AddScoped<SendStaffMessageHandler>();
        builder.Services.AddScoped<SendVictimMessageHandler>();
        builder.Services.AddScoped<CaseMessagesHandler>();
        builder.Services.AddScoped<NotifyVictimsHandler>();
        builder.Services.AddScoped<CannedResponsesHandler>();
        builder.Services.AddScoped<UnreadMessagesHandler>();
        return builder;
    }
}
