namespace Portal.Core.Features.Routing;

/// <summary>
/// Hands referrals to the job engine once the transaction that wrote them has committed (the
/// outbox). Scheduling a referral that already has a job does nothing, so a sweeper may call it
/// for every referral still waiting.
/// </summary>
public interface IReferralScheduler
{
    Task ScheduleAsync(IReadOnlyCollection<long> referralIds, CancellationToken cancellationToken);
}
