using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Triage;

namespace Portal.Web.Audit;

/// <summary>
/// An entry's subject and detail as staff read them ("Referral 2 · done: support given"),
/// instead of what the trail stores ("referral 2", "Done: SupportGiven"). The stored values stay
/// what the chain covers and what admins search; pages show them beneath this text. A shape not
/// known here is shown as stored.
/// </summary>
public static partial class AuditText
{
    public static string Describe(this IStringLocalizer t, string action, string? subject, string? detail)
    {
        var parts = new List<string?>();
        switch (action)
        {
            case AuditActions.TriageDecided:
                parts.Add(Known(t, "Case.Route.", subject));
                parts.Add(Known(t, "Audit.Decision.", detail));
                break;
            case AuditActions.CaseClaimed:
                parts.Add(detail == nameof(ClaimOutcome.Claimed) ? null : Known(t, "Case.Timeline.Claim.", detail));
                break;
            case AuditActions.CaseReassigned when AuditedReassignment.FromDetail(detail) is { } moved:
                parts.Add(t["Case.Timeline.Reassign." + moved.Outcome].Value);
                parts.Add(moved.Reason is null ? null : t["Audit.Reason", moved.Reason].Value);
                break;
            case AuditActions.ReportSubmitted:
                parts.Add(Known(t, "Priority.", detail));
                break;
            case AuditActions.CaseRetained:
                parts.Add(int.TryParse(detail, NumberStyles.None, CultureInfo.InvariantCulture, out var files) ? t["Audit.Retained", files].Value : detail);
                break;
            case AuditActions.AccessDenied:
                parts.Add(Known(t, "Audit.Denied.", detail?.Replace(' ', '-')) ?? detail);
                break;
            case AuditActions.StaffSignIn or AuditActions.StaffSignInFailed or AuditActions.StaffReauthenticationFailed:
                parts.Add(Known(t, "Audit.Factor.", detail?.Replace(' ', '-')) ?? detail);
                break;
            case AuditActions.EvidenceOpened:
                parts.Add(File(t, subject));
                parts.Add(detail is null ? null : t["Audit.Reason", detail].Value);
                break;
            case AuditActions.EvidenceAdded:
                parts.Add(File(t, subject));
                parts.Add(detail is { Length: >= 12 } hash ? "SHA-256 " + hash[..12] + "…" : detail);
                break;
            case AuditActions.EvidenceTampered:
                parts.Add(File(t, subject));
                break;
            case AuditActions.MessageSent or AuditActions.MessageReceived or AuditActions.MessageViewed or AuditActions.VictimNotified:
                parts.Add(Numbered(t, "Audit.Subject.Message", subject));
                parts.Add(detail == "message" ? null : detail);
                break;
            case AuditActions.RolesChanged:
                parts.Add(string.Join(", ", (detail ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => Known(t, "Role.", r) ?? r)) is { Length: > 0 } roles ? roles : t["Audit.NoRoles"].Value);
                break;
            case AuditActions.StaffPartnerSet:
                parts.Add(detail == "none" ? t["Users.NoOrganisation"].Value : Prefixed(t, "partner ", "Audit.Subject.Partner", detail));
                break;
            case AuditActions.CampaignViewed or AuditActions.CampaignExportApproved:
                parts.Add(detail is ['v', ..] version ? t["Audit.Version", version[1..]].Value : detail);
                break;
            case AuditActions.CannedResponseSaved or AuditActions.CannedResponseDeleted:
                parts.Add(Numbered(t, "Audit.Subject.CannedResponse", subject));
                break;
            case AuditActions.ConsentGiven or AuditActions.ConsentWithdrawn:
                parts.Add(Known(t, "PartnerType.", detail) ?? detail);
                break;
            case AuditActions.NoticePosted or AuditActions.NoticeWithdrawn:
                // The subject is the notice's id, shown beneath as stored; the detail its deadline.
                parts.Add(detail is null ? null : t["Notice.Deadline"].Value + " " + detail);
                break;
            case AuditActions.StatisticsExported:
                parts.Add(Known(t, "Statistics.By", subject) ?? subject);
                parts.Add(Matched(StatisticsDetail(), detail) is [var periods, var from] ? t["Audit.Statistics", periods, from].Value : detail);
                break;
            case AuditActions.CampaignsRecomputed:
                parts.Add(Matched(RecomputeDetail(), detail) is [var campaigns, var created, var changed, var retired] ? t["Audit.Recomputed", campaigns, created, changed, retired].Value : detail);
                break;
            case AuditActions.CampaignsListed:
                parts.Add(int.TryParse(detail, NumberStyles.None, CultureInfo.InvariantCulture, out var listed) ? t["Audit.CampaignsListed", listed].Value : detail);
                break;
            default:
                if (action.StartsWith("referral.", StringComparison.Ordinal) || action.StartsWith("partner.", StringComparison.Ordinal))
                {
                    parts.Add(Prefixed(t, "referral ", "Audit.Subject.Referral", subject) ?? Prefixed(t, "partner ", "Audit.Subject.Partner", subject) ?? subject);
                    parts.Add(ReferralDetail(t, detail));
                    break;
                }

                parts.Add(subject);
                parts.Add(detail);
                break;
        }

        return string.Join(" · ", parts.Where(p => !string.IsNullOrWhiteSpace(p)));
    }

    /// <summary>"Done: SupportGiven", "partner 3", "NoneWithCapacity", "WrongState", "retried".</summary>
    private static string? ReferralDetail(IStringLocalizer t, string? detail)
    {
        if (detail is null)
        {
            return null;
        }

        if (detail.Split(": ", 2) is [var outcome, var result] && Known(t, "Audit.Response.", outcome) is { } said)
        {
            return said + ": " + (Known(t, "ReferralOutcome.", result) ?? result);
        }

        return Prefixed(t, "partner ", "Audit.Subject.Partner", detail)
            ?? Known(t, "Audit.Response.", detail)
            ?? Known(t, "NoPartnerReason.", detail)
            ?? Known(t, "Audit.Outcome.", detail.Replace(' ', '-'))
            ?? detail;
    }

    private static string? Known(IStringLocalizer t, string prefix, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var text = t[prefix + value];
        return text.ResourceNotFound ? null : text.Value;
    }

    private static string? Prefixed(IStringLocalizer t, string stored, string key, string? value) =>
        value is not null && value.StartsWith(stored, StringComparison.Ordinal) && long.TryParse(value[stored.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? t[key, number].Value
            : null;

    private static string? Numbered(IStringLocalizer t, string key, string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? t[key, number].Value : value;

    /// <summary>The groups of a stored detail's known shape, or null.</summary>
    private static string[]? Matched(System.Text.RegularExpressions.Regex shape, string? detail) =>
        detail is not null && shape.Match(detail) is { Success: true } match ? match.Groups.Values.Skip(1).Select(g => g.Value).ToArray() : null;

    /// <summary>"30 periods from 2026-11-08" (StatisticsHandler).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d+) periods from (\d{4}-\d{2}-\d{2})$")]
    private static partial System.Text.RegularExpressions.Regex StatisticsDetail();

    /// <summary>"1 campaigns, 0 new, 1 changed, 0 retired" (RecomputeCampaignsHandler).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d+) campaigns, (\d+) new, (\d+) changed, (\d+) retired$")]
    private static partial System.Text.RegularExpressions.Regex RecomputeDetail();

    /// <summary>
    /// A file by the end of its id, enough to tell files of a case apart. Not the start: ids are
    /// version-7 GUIDs, whose first 12 hex digits are the time of upload, shared by files added
    /// together; the last 12 are random.
    /// </summary>
    private static string? File(IStringLocalizer t, string? id) =>
        Guid.TryParse(id, out var file) ? t["Audit.Subject.File", file.ToString("N")[^12..]].Value : id;
}
