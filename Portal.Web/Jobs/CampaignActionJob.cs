using Portal.Core.Features.Campaigns;
using Quartz;

namespace Portal.Web.Jobs;

/// <summary>
/// Carries out confirmed campaign actions in batches (the work and its resumption are the
/// handler's: each batch commits with the action's progress). Nudged when a supervisor confirms
/// one; the schedule and the start-up sweep finish any a crash interrupted.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class CampaignActionJob(RunCampaignActionsHandler handler, ILogger<CampaignActionJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var cases = await handler.HandleAsync(cancellationToken);
        if (cases > 0)
        {
            logger.LogInformation("Campaign actions: {Cases} case(s) done.", cases);
        }
    }
}
