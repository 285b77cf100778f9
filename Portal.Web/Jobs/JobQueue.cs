using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Portal.Web.Jobs;

/// <summary>When a job with the same key already exists, whether a new one is still needed.</summary>
public enum KeyedJob
{
    /// <summary>One job per piece of work: nothing new while one is queued, waiting for a retry, running, or failed and waiting for an admin.</summary>
    OncePerKey,

    /// <summary>A sweep: nothing new while one is queued or waiting for a retry (it will read every row when it starts); a running one may have read too early, so another is queued.</summary>
    OnceWhileWaiting,
}

/// <summary>
/// Enqueues Hangfire jobs under the portal's keys (<see cref="PortalJobKeys"/>). Hangfire itself
/// has no notion of a job that already exists, so the queue keeps, in the job storage, the last
/// job of each key, and decides under a distributed lock per key whether another is needed: two
/// nodes, or a sweep racing a decision, never queue the same work twice. Whatever is decided
/// here, the handlers stay idempotent on their rows: Hangfire runs a job at least once.
/// </summary>
public sealed class JobQueue(JobStorage storage, IBackgroundJobClientV2 client)
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Enqueues <paramref name="job"/> under <paramref name="key"/> unless <paramref name="rule"/> says it exists; returns the new job's id, or null.</summary>
    public string? Enqueue(string key, Job job, string queue, KeyedJob rule)
    {
        using var connection = storage.GetConnection();
        using (connection.AcquireDistributedLock(LockOf(key), LockTimeout))
        {
            if (LastOf(connection, key) is { } existing && Blocks(connection.GetStateData(existing)?.Name, rule))
            {
                return null;
            }

            // The key's index is written by JobKeyIndex as the job is created.
            return client.Create(job, new EnqueuedState(queue), new Dictionary<string, object> { [PortalJobKeys.KeyParameter] = key });
        }
    }

    /// <summary>The id of the last job enqueued under <paramref name="key"/>, if the storage still knows it.</summary>
    public string? LastOf(string key)
    {
        using var connection = storage.GetConnection();
        return LastOf(connection, key);
    }

    internal static string IndexOf(string key) => "portal:job-key:" + key;

    private static string LockOf(string key) => "portal:job-key-lock:" + key;

    private static string? LastOf(IStorageConnection connection, string key) =>
        connection.GetAllEntriesFromHash(IndexOf(key)) is { } entries && entries.TryGetValue("job", out var id) ? id : null;

    private static bool Blocks(string? state, KeyedJob rule)
    {
        if (state == EnqueuedState.StateName || state == ScheduledState.StateName || state == AwaitingState.StateName)
        {
            return true;
        }

        return rule == KeyedJob.OncePerKey && (state == ProcessingState.StateName || state == FailedState.StateName);
    }
}

/// <summary>
/// Keeps each key's last job in the storage: written when a keyed job is created (by the portal,
/// by a recurring schedule, or from the dashboard), left to expire once that job has finished.
/// </summary>
internal sealed class JobKeyIndex : IClientFilter, IApplyStateFilter
{
    public void OnCreating(CreatingContext context)
    {
    }

    public void OnCreated(CreatedContext context)
    {
        if (context.Canceled || context.Exception is not null || context.BackgroundJob is null)
        {
            return;
        }

        var key = PortalJobKeys.Of(name => context.Parameters.TryGetValue(name, out var value) ? value as string : null);
        if (key is null)
        {
            return;
        }

        using var transaction = context.Connection.CreateWriteTransaction();
        transaction.SetRangeInHash(JobQueue.IndexOf(key), [new KeyValuePair<string, string>("job", context.BackgroundJob.Id)]);
        if (transaction is JobStorageTransaction persistent)
        {
            persistent.PersistHash(JobQueue.IndexOf(key));
        }

        transaction.Commit();
    }

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (!context.NewState.IsFinal || transaction is not JobStorageTransaction expiring)
        {
            return;
        }

        var key = PortalJobKeys.Of(name => context.GetJobParameter<string>(name, allowStale: true));
        if (key is not null
            && context.Connection.GetAllEntriesFromHash(JobQueue.IndexOf(key)) is { } entries
            && entries.TryGetValue("job", out var id) && id == context.BackgroundJob.Id)
        {
            expiring.ExpireHash(JobQueue.IndexOf(key), context.JobExpirationTimeout);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
