using System.ComponentModel;
using Portal.Core.Features.Campaigns;

namespace Portal.Web.Jobs;

/// <summary>
/// Carries out confirmed campaign actions in batches (the work and its resumption are the
/// handler's: each batch commits with the action's progress). Nudged when a supervisor confirms
/// one; the recurring dispatcher and the schedule finish any a crash interrupted. One run at a time.
/// </summary>
[SingleRun]
public sealed class CampaignActionJob(RunCampaignActionsHandler handler, ILogger<CampaignActionJob> logger)
{
    [DisplayName("Campaigns: carry out confirmed campaign actions")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var cases = await handler.HandleAsync(cancellationToken);
        if (cases > 0)
        {
            logger.LogInformation("Campaign actions: {Cases} case(s) done.", cases);
        }
    }
}
