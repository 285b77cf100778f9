namespace Portal.Core.Features.Jobs;

/// <summary>Kinds of work a use case leaves for after its answer, each kept as rows in its transaction.</summary>
public enum FollowUpWork
{
    /// <summary>Referrals waiting for a partner (Referral rows in Pending or due another try).</summary>
    Routing,

    /// <summary>Evidence files not yet read for headers and indicators.</summary>
    EvidenceAnalysis,

    /// <summary>Messages whose victim is still to be told by email that there is an update.</summary>
    VictimNotifications,

    /// <summary>Campaign actions a supervisor confirmed, with cases not yet done (CampaignAction rows still running).</summary>
    CampaignActions,
}

/// <summary>
/// A nudge to the job engine after a commit that left follow-up work, so it starts at once instead
/// of at the next sweep. Only a nudge: the committed rows are the work, and the recurring sweeps
/// pick up anything whose nudge was lost (a crash, another node), so nothing is lost with it.
/// </summary>
public interface IFollowUpSignal
{
    void Notify(FollowUpWork work);
}
