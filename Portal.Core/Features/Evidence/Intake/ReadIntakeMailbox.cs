using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence.Intake;

/// <summary>What one run of the intake reader did; Enabled is false when no intake mailbox is configured.</summary>
public sealed record IntakeRun(bool Enabled, int Messages, int Stored, int Duplicates, int Refused, int UnknownAddress, int Loops)
{
    public static readonly IntakeRun Off = new(false, 0, 0, 0, 0, 0, 0);

    public static IntakeRun Of(IntakeTally tally) =>
        new(true, tally.Messages, tally.Stored, tally.Duplicates, tally.Refused, tally.UnknownAddress, tally.Loops);
}

/// <summary>
/// One run of the forwarding intake (docs/decisions/0026), started by a recurring job: reads the
/// intake mailbox in batches of Intake:BatchSize, decides about each message from its header
/// block and size before fetching its body, stores it (<see cref="StoreForwardedMailHandler"/>),
/// and only then flags it \Deleted; each batch is expunged and counted. A crash between storing
/// and deleting reads the message again next time, where it is recognised as a duplicate, and a
/// refusal already recorded for it (under the message's UID) is not recorded again. When the
/// mailbox is empty and the server offers IDLE, the run waits for new mail until Intake:RunTime
/// has passed, so a forward is stored within seconds; <c>stopping</c> (the host shutting down)
/// ends the wait and the run between messages. A run that finds nothing writes nothing to the
/// database, except the time of its look once an hour (<see cref="IntakeEmptyRuns"/>).
/// </summary>
public sealed class ReadIntakeMailboxHandler(StoreForwardedMailHandler store, IntakeEmptyRuns emptyRuns, IOptions<IntakeOptions> options, TimeProvider clock)
{
    public async Task<IntakeRun> HandleAsync(CancellationToken stopping, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return IntakeRun.Off;
        }

        var started = clock.GetTimestamp();
        var total = new IntakeTally();
        await using (var mailbox = await IntakeMailbox.OpenAsync(settings, cancellationToken))
        {
            await mailbox.ExpungeFlaggedAsync(cancellationToken);
            while (!stopping.IsCancellationRequested)
            {
                var batch = await mailbox.NextAsync(settings.BatchSize, cancellationToken);
                if (batch.Count == 0)
                {
                    var left = settings.RunTime - clock.GetElapsedTime(started);
                    if (settings.Idle && mailbox.CanIdle && left > TimeSpan.Zero && await mailbox.WaitForMailAsync(left, stopping, cancellationToken))
                    {
                        continue;
                    }

                    break;
                }

                var tally = new IntakeTally();
                var done = new List<IntakeMailbox.Item>();
                foreach (var item in batch)
                {
                    if (stopping.IsCancellationRequested)
                    {
                        break;
                    }

                    tally.Message(await TakeAsync(mailbox, item, cancellationToken));
                    CrashPoint.Reach(CrashPoint.IntakeMessageTaken);
                    await mailbox.DeleteAsync(item, cancellationToken);
                    done.Add(item);
                }

                await mailbox.ExpungeAsync(done, cancellationToken);
                await store.CountAsync(tally, cancellationToken);
                total.Add(tally);
                if (clock.GetElapsedTime(started) >= settings.RunTime)
                {
                    break;
                }
            }
        }

        if (total.Messages > 0)
        {
            emptyRuns.Recorded();
        }
        else if (emptyRuns.IsDue())
        {
            // A run with nothing to read still says, now and then, when the mailbox was last looked at.
            await store.CountAsync(total, cancellationToken);
            emptyRuns.Recorded();
        }

        return IntakeRun.Of(total);
    }

    private async Task<IReadOnlyList<IntakeOutcome>> TakeAsync(IntakeMailbox mailbox, IntakeMailbox.Item item, CancellationToken cancellationToken)
    {
        var header = await mailbox.HeaderAsync(item, cancellationToken);
        var decision = await store.ClassifyAsync(header, item.Size ?? 0, cancellationToken);
        if (decision is IntakeDecision.Drop drop)
        {
            return [drop.Outcome];
        }

        var (cases, message) = decision switch
        {
            IntakeDecision.Take take => (take.Cases, await mailbox.MessageAsync(item, store.MaxMessageBytes, cancellationToken)),
            IntakeDecision.Refuse refuse => (refuse.Cases, (byte[]?)null),
            _ => throw new InvalidOperationException($"Unexpected decision {decision.GetType().Name}."),
        };
        if (message is not null)
        {
            return await store.StoreAsync(cases, message, item.Key, cancellationToken);
        }

        // Over the limit by its reported size, or (no size reported) found to be while it was fetched.
        await store.RefuseAsync(cases, item.Size ?? store.MaxMessageBytes + 1, item.Key, cancellationToken);
        return [.. cases.Select(_ => IntakeOutcome.Refused)];
    }
}
