using Hangfire.Common;
using Hangfire.Logging;
using Hangfire.Server;
using Hangfire.Storage;

namespace Portal.Web.Jobs;

/// <summary>
/// One run at a time of a job type, across every node: a run that finds another in progress ends
/// at once without doing anything. Nothing is lost by it: what is still due when the running one
/// ends is started by the recurring dispatcher's next look (Jobs:DispatchInterval) or the job's
/// schedule. It never makes a worker wait, so routing is never held up behind a long sweep.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SingleRunAttribute : JobFilterAttribute, IServerFilter
{
    private const string HandleItem = "portal.single-run";

    // Long enough for one try of the storage's lock, short enough never to hold a worker.
    private static readonly TimeSpan TryFor = TimeSpan.FromSeconds(1);

    private static readonly ILog Log = LogProvider.GetLogger(typeof(SingleRunAttribute));

    public void OnPerforming(PerformingContext context)
    {
        var resource = "portal:single-run:" + context.BackgroundJob.Job.Type.Name;
        try
        {
            context.Items[HandleItem] = context.Connection.AcquireDistributedLock(resource, TryFor);
        }
        catch (DistributedLockTimeoutException)
        {
            Log.Info($"{context.BackgroundJob.Job.Type.Name} is already running elsewhere; job {context.BackgroundJob.Id} ends without running.");
            context.Canceled = true;
        }
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(HandleItem, out var handle) && handle is IDisposable held)
        {
            held.Dispose();
        }
    }
}
