namespace Portal.Core.Features.Evidence.Intake;

/// <summary>
/// When this process last wrote IntakeStatistics.LastRunAt. A run that read something always
/// writes its counts; a run that found the mailbox empty writes only its time, and only when the
/// last write is <see cref="RecordEvery"/> old: the reader may be scheduled every minute (a server
/// without IDLE), and an idle portal should not write to its database each time to say that
/// nothing came (issue 13's idle cost).
/// The supervisors' dashboard says so next to the time. One per portal process (a singleton).
/// </summary>
public sealed class IntakeEmptyRuns(TimeProvider clock)
{
    public static readonly TimeSpan RecordEvery = TimeSpan.FromHours(1);

    private readonly Lock gate = new();
    private DateTimeOffset? recorded;

    /// <summary>Whether an empty run now should write its time.</summary>
    public bool IsDue()
    {
        lock (gate)
        {
            return recorded is not { } last || clock.GetUtcNow() - last >= RecordEvery;
        }
    }

    /// <summary>LastRunAt was just written (by any run).</summary>
    public void Recorded()
    {
        lock (gate)
        {
            recorded = clock.GetUtcNow();
        }
    }
}
