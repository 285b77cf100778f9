using System.Security.Cryptography;

namespace Portal.Web.Jobs;

/// <summary>
/// Exponential backoff with jitter: the n-th retry waits base × 2^(n−1), capped at the maximum,
/// then moved by up to ±jitter of itself (and capped again), so jobs that failed together
/// (SMTP down) do not all come back in the same second.
/// </summary>
public sealed record RetryBackoff(TimeSpan BaseDelay, TimeSpan MaxDelay, double Jitter)
{
    public static RetryBackoff From(JobsOptions options) => new(options.RetryBaseDelay, options.RetryMaxDelay, options.RetryJitter);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first), with a random draw.</summary>
    public TimeSpan DelayBefore(int retry) =>
        DelayBefore(retry, RandomNumberGenerator.GetInt32(int.MaxValue) / (double)(int.MaxValue - 1));

    /// <summary>The wait for a given draw in [0, 1]: 0 is the shortest, 1 the longest.</summary>
    public TimeSpan DelayBefore(int retry, double draw)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(draw, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(draw, 1.0);
        var exponential = Nominal(retry);
        var factor = 1 - Jitter + (2 * Jitter * draw);
        var ticks = Math.Min(exponential.Ticks * factor, MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The wait before jitter: base × 2^(retry−1), never above the maximum (and no overflow for large retries).</summary>
    public TimeSpan Nominal(int retry)
    {
        var doublings = Math.Min(retry - 1, 40);
        var ticks = BaseDelay.Ticks * Math.Pow(2, doublings);
        return TimeSpan.FromTicks((long)Math.Min(ticks, MaxDelay.Ticks));
    }
}
