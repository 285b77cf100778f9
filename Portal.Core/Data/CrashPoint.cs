using System.Diagnostics;

namespace Portal.Core.Data;

/// <summary>
/// Named moments between the steps of a use case where a test can have the process killed
/// outright, as kill -9 or a power cut would: the drills and the crash tests set
/// <c>PORTAL_CRASH_AT</c> to one name and check what a restart finds. Inert otherwise (one
/// string comparison). The names are the contract the tests and infra/drill use.
/// </summary>
public static class CrashPoint
{
    public const string Variable = "PORTAL_CRASH_AT";

    /// <summary>The report, its audit entry and its referral are committed; the receipt page has not been sent.</summary>
    public const string ReportCommitted = "report.committed";

    /// <summary>The evidence file is under its final name; its row is not committed.</summary>
    public const string EvidenceFileMoved = "evidence.file-moved";

    /// <summary>The evidence row and its audit entry are committed; the answer has not been sent.</summary>
    public const string EvidenceCommitted = "evidence.committed";

    /// <summary>An evidence file's analysis attempt is counted; nothing of its reading is stored.</summary>
    public const string AnalysisStarted = "analysis.started";

    /// <summary>What an intake message carried is stored or its refusal recorded; the message is not yet flagged in the mailbox.</summary>
    public const string IntakeMessageTaken = "intake.message-taken";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);

    public static void Reach(string name)
    {
        if (Armed is not null && string.Equals(Armed, name, StringComparison.Ordinal))
        {
            // SIGKILL to itself: nothing flushed, nothing disposed, nothing answered.
            Process.GetCurrentProcess().Kill();
        }
    }
}
