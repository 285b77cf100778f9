using Microsoft.Extensions.Options;

namespace Portal.Core.Features.Evidence.Intake;

/// <summary>
/// Watches the forwarding intake mailbox in IMAP IDLE and says when mail is there, without
/// reading it and without touching the database: the reading is a job's
/// (<see cref="ReadIntakeMailboxHandler"/>), started only when this says so. Waiting in a job
/// instead kept a job running all the time, and on PostgreSQL each job run and each running minute
/// costs the job store statements (issue 13's idle limit; docs/decisions/0026).
/// </summary>
public sealed class WatchIntakeMailbox(IOptions<IntakeOptions> options)
{
    /// <summary>How long one IDLE command is held before it is renewed (servers may drop one after 30 minutes).</summary>
    public static readonly TimeSpan IdleRenewal = TimeSpan.FromMinutes(9);

    /// <summary>
    /// Connects and calls <paramref name="mailThere"/> at once if the mailbox holds mail, then each
    /// time mail arrives, until <paramref name="stopping"/>. Returns false at once when the server
    /// offers no IDLE (the schedule alone reads it then); throws <see cref="IntakeMailboxException"/>
    /// when the mailbox cannot be reached or the connection fails.
    /// </summary>
    public async Task<bool> WatchAsync(Action mailThere, CancellationToken stopping)
    {
        await using var mailbox = await IntakeMailbox.OpenAsync(options.Value, stopping);
        if (!mailbox.CanIdle)
        {
            return false;
        }

        if (mailbox.Count > 0)
        {
            mailThere();
        }

        while (!stopping.IsCancellationRequested)
        {
            if (await mailbox.WaitForMailAsync(IdleRenewal, stopping, stopping))
            {
                mailThere();
            }
        }

        return true;
    }
}
