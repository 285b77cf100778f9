using System.Threading.RateLimiting;

namespace Portal.Web.Security;

/// <summary>
/// Per-client limits on what an anonymous visitor can make the portal store: reports and evidence.
/// Checked by the controller rather than by the rate-limiting middleware, so a refused victim gets
/// their own form back with what they typed and a message saying how long to wait, not a bare
/// error page. Counted per address in memory only; the address is never logged or stored.
/// </summary>
public sealed class ClientLimits(RateLimitOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> reports = PerClient(options.ReportPermits, options.ReportWindow);
    private readonly PartitionedRateLimiter<string> uploads = PerClient(options.UploadPermits, options.UploadWindow);
    private readonly PartitionedRateLimiter<string> failedLookups = PerClient(options.ReceiptLookupPermits, options.ReceiptLookupWindow);
    private readonly PartitionedRateLimiter<string> drafts = PerClient(options.DraftPermits, options.DraftWindow);
    private readonly SemaphoreSlim[] lookupLanes = Enumerable.Range(0, LookupLanes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>How many clients' receipt lookups may run at the same moment (each client always in the same lane).</summary>
    private const int LookupLanes = 64;

    /// <summary>Null when this client may file another report now, else how long to wait.</summary>
    public TimeSpan? TryReport(HttpContext context) => TryAcquire(reports, context);

    /// <summary>Null when this client may send another file now, else how long to wait.</summary>
    public TimeSpan? TryUpload(HttpContext context) => TryAcquire(uploads, context);

    /// <summary>Null when this client may start another report in progress now, else how long to wait.</summary>
    public TimeSpan? TryStartDraft(HttpContext context) => TryAcquire(drafts, context);

    /// <summary>
    /// Null while this client may try a receipt lookup, else how long to wait. Only wrong pairs
    /// count (<see cref="CountFailedLookup"/>): a victim opening their case again and again on a
    /// shared mobile address is never stopped, a guesser is after a few tries.
    /// </summary>
    public TimeSpan? ReceiptLookupWait(HttpContext context) => TryAcquire(failedLookups, context, permits: 0);

    /// <summary>
    /// A client's receipt lookups one at a time, from checking <see cref="ReceiptLookupWait"/> to
    /// <see cref="CountFailedLookup"/>: otherwise guesses sent at the same moment all pass the check
    /// before the first is counted. Clients are spread over a fixed number of lanes by address, so
    /// nothing grows with the number of clients; two clients sharing a lane wait a lookup's time.
    /// </summary>
    public async Task<IDisposable> OneLookupAtATimeAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var lane = lookupLanes[(int)((uint)StringComparer.Ordinal.GetHashCode(ClientOf(context)) % LookupLanes)];
        await lane.WaitAsync(cancellationToken);
        return new LaneLease(lane);
    }

    /// <summary>A wait as the pages say it: whole minutes, at least one.</summary>
    public static int WaitMinutes(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));

    /// <summary>A reference and key that opened nothing: counted against this client.</summary>
    public void CountFailedLookup(HttpContext context) => TryAcquire(failedLookups, context);

    public void Dispose()
    {
        reports.Dispose();
        uploads.Dispose();
        failedLookups.Dispose();
        drafts.Dispose();
        foreach (var lane in lookupLanes)
        {
            lane.Dispose();
        }
    }

    private static TimeSpan? TryAcquire(PartitionedRateLimiter<string> limiter, HttpContext context, int permits = 1)
    {
        using var lease = limiter.AttemptAcquire(ClientOf(context), permits);
        if (lease.IsAcquired)
        {
            return null;
        }

        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return wait;
    }

    private static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static PartitionedRateLimiter<string> PerClient(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(
            client,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));

    private sealed class LaneLease(SemaphoreSlim lane) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                lane.Release();
            }
        }
    }
}
