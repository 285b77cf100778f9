using System.Globalization;

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

/// <summary>
/// A referral's routing job is stored as "routing.referral-&lt;id&gt;": the job engine names it so, and
/// the digest reads a referral's final failure back from JobFailures by that key.
/// </summary>
public static class ReferralJobNames
{
    public const string Group = "routing";

    private const string NamePrefix = "referral-";

    /// <summary>The start of every referral's job key as JobFailures records it ("group.name").</summary>
    public const string FailureKeyPrefix = Group + "." + NamePrefix;

    public static string Name(long referralId) => NamePrefix + referralId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The referral a recorded job key belongs to; null for any other job.</summary>
    public static long? ReferralOf(string jobKey) =>
        jobKey.StartsWith(FailureKeyPrefix, StringComparison.Ordinal)
        && long.TryParse(jobKey.AsSpan(FailureKeyPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
}
