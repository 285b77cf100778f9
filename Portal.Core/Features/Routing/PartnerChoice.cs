using Portal.Core.Data;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Routing;

/// <summary>What a referral asks of a partner.</summary>
public sealed record ReferralNeeds(PartnerType Type, bool Urgent, string? Region, string Language, IReadOnlySet<long> AlreadyTried);

/// <summary>A partner as routing sees it: its rules and how many referrals it can still take today.</summary>
public sealed record PartnerCandidate(long Id, PartnerType Type, bool Active, bool IsCrisisLine, IReadOnlyList<string> Regions, IReadOnlyList<string> Languages, int RemainingToday)
{
    public static PartnerCandidate From(Partner partner, int assignedToday) =>
        new(partner.Id, partner.Type, partner.Active, partner.IsCrisisLine, partner.Regions, partner.Languages, Math.Max(0, partner.DailyCapacity - assignedToday));
}

public sealed record PartnerChoiceResult(PartnerCandidate? Partner, NoPartnerReason? Reason);

/// <summary>
/// Which partner gets a referral. Deterministic: the same referral and partners always give the
/// same answer. A partner must be of the referral's type, active, not already tried for this
/// referral (declined or timed out), serve the victim's region (or every region; a victim outside
/// Finland or who did not say is served by partners covering every region), work in the case's
/// language and have capacity left today. Crisis lines keep their capacity for urgent cases: an
/// urgent counselling referral goes to a crisis line first and to another counselling partner
/// only if no crisis line can take it, and a referral that is not urgent never goes to one.
/// Among the suitable, a partner naming the region comes before one covering everywhere, then
/// the one with most capacity left today (spreading the load), then the oldest (lowest id).
/// </summary>
public static class PartnerChoice
{
    public static PartnerChoiceResult Choose(ReferralNeeds needs, IEnumerable<PartnerCandidate> partners)
    {
        // Each rule in turn, so that when nobody is left the supervisors learn which rule did it:
        // who could serve this victim at all (type, region, language) first, then who can now.
        var rules = new (NoPartnerReason Reason, Func<PartnerCandidate, bool> Keeps)[]
        {
            (NoPartnerReason.NoPartnerOfType, p => p.Type == needs.Type && (needs.Urgent || !p.IsCrisisLine)),
            (NoPartnerReason.NoneServesRegion, p => ServesRegion(p, needs.Region)),
            (NoPartnerReason.NoneSpeaksLanguage, p => p.Languages.Contains(needs.Language, StringComparer.Ordinal)),
            (NoPartnerReason.NoneActive, p => p.Active),
            (NoPartnerReason.AllTried, p => !needs.AlreadyTried.Contains(p.Id)),
            (NoPartnerReason.NoneWithCapacity, p => p.RemainingToday > 0),
        };

        var left = partners.ToList();
        foreach (var (reason, keeps) in rules)
        {
            left = left.Where(keeps).ToList();
            if (left.Count == 0)
            {
                return new PartnerChoiceResult(null, reason);
            }
        }

        var chosen = left
            .OrderBy(p => needs.Urgent && needs.Type == PartnerType.Counselling && !p.IsCrisisLine ? 1 : 0)
            .ThenBy(p => p.Regions.Count == 0 ? 1 : 0)
            .ThenByDescending(p => p.RemainingToday)
            .ThenBy(p => p.Id)
            .First();
        return new PartnerChoiceResult(chosen, null);
    }

    public static bool ServesRegion(PartnerCandidate partner, string? region) =>
        partner.Regions.Count == 0 || (region is not null && Regions.IsFinnish(region) && partner.Regions.Contains(region, StringComparer.Ordinal));
}
