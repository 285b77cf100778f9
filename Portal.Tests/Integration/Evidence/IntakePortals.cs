using System.Globalization;
using System.Net;
using System.Text;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Tests.Integration.Jobs;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Evidence;

/// <summary>A portal reading an intake mailbox of its own on the loopback dovecot, sending mail to the loopback SMTP sink.</summary>
public interface IIntakePortal
{
    IntakeTestMailbox Mailbox { get; }
}

public class SqliteIntakePortal : SqlitePortalFactory, IIntakePortal
{
    public IntakeTestMailbox Mailbox { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [.. Mailbox.Settings(), .. TestMailbox.SmtpSettings];
}

public class PostgresIntakePortal : PostgresPortalFactory, IIntakePortal
{
    public IntakeTestMailbox Mailbox { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [.. Mailbox.Settings(), .. TestMailbox.SmtpSettings];
}

/// <summary>
/// Evidence:MaxFileBytes of 64 KiB, so an intake message over a limit is quick to make; a case
/// holds at most 2 files and 96 KiB (more than one file's limit, so a file alone over its own
/// limit is still refused as too large, not as a full case).
/// </summary>
public sealed class SmallLimitsIntakePortal : SqliteIntakePortal
{
    public const int MaxFileBytes = 64 * 1024;

    public const int MaxFilesPerCase = 2;

    public const int MaxBytesPerCase = 96 * 1024;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            .. base.Settings,
            new("Evidence:MaxFileBytes", MaxFileBytes.ToString(CultureInfo.InvariantCulture)),
            new("Evidence:MaxFilesPerCase", MaxFilesPerCase.ToString(CultureInfo.InvariantCulture)),
            new("Evidence:MaxBytesPerCase", MaxBytesPerCase.ToString(CultureInfo.InvariantCulture)),
        ];
}

/// <summary>The real scheduler runs the recurring job (parked; tests fire it), and the analysis it nudges.</summary>
public sealed class JobsIntakePortal : SqlitePortalFactory, IIntakePortal, IJobsPortal
{
    public IntakeTestMailbox Mailbox { get; } = new();

    public Dictionary<string, string?> Extra { get; init; } = [];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        JobsPortal.Settings(new Dictionary<string, string?>(Mailbox.Settings()) { ["Jobs:ForwardingIntakeSchedule"] = JobsPortal.Never });
}

/// <summary>The real scheduler with the schedule parked and the mailbox watched in IDLE: only the watcher starts the reading.</summary>
public sealed class WatchedIntakePortal : SqlitePortalFactory, IIntakePortal, IJobsPortal
{
    public IntakeTestMailbox Mailbox { get; } = new();

    public Dictionary<string, string?> Extra { get; init; } = [];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        JobsPortal.Settings(new Dictionary<string, string?>(Mailbox.Settings())
        {
            ["Jobs:ForwardingIntakeSchedule"] = JobsPortal.Never,
            ["Intake:Idle"] = "true",
            ["Intake:RunTime"] = "00:00:02",
        });
}

/// <summary>A victim who has just filed a report: their client, their case, and the forwarding address the receipt showed.</summary>
public sealed record ForwardingVictim(HttpClient Client, Guid CaseId, string Reference, string Address, IDocument Receipt);

/// <summary>Intake messages as mail clients write them, and the victim's side of the portal.</summary>
public static class ForwardedMail
{
    public static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n"));

    /// <summary>"Forward as attachment": a short note and each original as a message/rfc822 part, bytes unchanged.</summary>
    public static byte[] AsAttachment(string to, byte[] original, string from = "victim@victim.example", string? extraHeaders = null)
    {
        var head = Crlf($"""
            From: Victim <{from}>
            To: {to}
            Subject: Fwd: Your therapy records
            Date: Mon, 23 Nov 2026 09:00:00 +0200
            Message-ID: <{Guid.NewGuid():N}@victim.example>
            {extraHeaders ?? "X-Mailer: Test Mail 1.0"}
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="fwd-boundary"

            --fwd-boundary
            Content-Type: text/plain; charset=utf-8

            Forwarding the email I got.
            --fwd-boundary
            Content-Type: message/rfc822
            Content-Disposition: attachment; filename="Your therapy records.eml"


            """);
        return [.. head, .. original, .. Crlf("\n--fwd-boundary--\n")];
    }

    /// <summary>"Forward" typed into the body: the original's headers are gone, only the client's quote remains.</summary>
    public static byte[] Inline(string to, string body, string from = "victim@victim.example", string? extraHeaders = null, string? messageId = null) => Crlf($"""
        From: Victim <{from}>
        To: {to}
        Subject: Fwd: Your therapy records
        Date: Mon, 23 Nov 2026 09:00:00 +0200
        Message-ID: <{messageId ?? Guid.NewGuid().ToString("N") + "@victim.example"}>
        {extraHeaders ?? "X-Mailer: Test Mail 1.0"}
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        ---------- Forwarded message ---------
        From: Ransom Team <ransom@extortion.example>
        Date: Thu, 22 Oct 2020 09:13:58 +0300
        Subject: Your therapy records

        {body}
        """);

    public static async Task<ForwardingVictim> NewCaseAsync(PortalFactory factory, string? contactEmail = null)
    {
        var answers = ReportAnswers.Valid();
        if (contactEmail is not null)
        {
            answers["ContactPreference"] = "Email";
            answers["ContactEmail"] = contactEmail;
        }

        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = await HtmlForms.ParseAsync(response);
        var reference = receipt.QuerySelector("[data-testid=reference]")?.TextContent.Trim() ?? throw new InvalidOperationException("The receipt has no reference.");
        var address = receipt.QuerySelector("[data-testid=forwarding-address]")?.TextContent.Trim() ?? throw new InvalidOperationException("The receipt shows no forwarding address.");
        var caseId = await factory.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        return new ForwardingVictim(client, caseId, reference, address, receipt);
    }

    public static Task<IntakeStatistics> CountsAsync(PortalFactory factory) =>
        factory.QueryAsync(db => db.IntakeStatistics.AsNoTracking().SingleAsync());

    public static Task<List<EvidenceFile>> FilesAsync(PortalFactory factory, Guid caseId) =>
        factory.QueryAsync(db => db.EvidenceFiles.AsNoTracking().Where(e => e.CaseId == caseId).OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id).ToListAsync());
}
