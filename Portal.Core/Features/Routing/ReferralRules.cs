using Portal.Core.Data;

namespace Portal.Core.Features.Routing;

/// <summary>
/// Which referrals a case gets, and the consent rule that no path around it can break: a
/// referral to police exists only for a case with police consent, one to counselling only with
/// counselling consent. Every referral is created here.
/// </summary>
public static class ReferralRules
{
    public static IReadOnlyList<PartnerType> TypesFor(TriageRoute route) => route switch
    {
        TriageRoute.Police => [PartnerType.Police],
        TriageRoute.Counselling => [PartnerType.Counselling],
        TriageRoute.PoliceAndCounselling => [PartnerType.Police, PartnerType.Counselling],
        _ => [],
    };

    public static bool ConsentAllows(Case entity, PartnerType type) => type switch
    {
        PartnerType.Police => entity.ConsentPolice,
        PartnerType.Counselling => entity.ConsentCounselling,
        _ => false,
    };

    /// <summary>Flagged for self-harm or immediate danger: crisis lines first, shorter escalation.</summary>
    public static bool IsUrgent(Case entity) => entity.RiskSelfHarm || entity.RiskImmediateDanger;

    /// <summary>An urgent case with counselling consent goes to a crisis line on submission, before triage.</summary>
    public static bool NeedsCrisisReferral(Case entity) => IsUrgent(entity) && entity.ConsentCounselling;

    /// <summary>A new, pending referral; throws when the victim did not consent, whoever asks.</summary>
    public static Referral Create(Case entity, PartnerType type, DateTime now)
    {
        if (!ConsentAllows(entity, type))
        {
            throw new InvalidOperationException($"Case {entity.Id} has no consent for a {type} referral.");
        }

        return new Referral
        {
            CaseId = entity.Id,
            PartnerType = type,
            Urgent = IsUrgent(entity),
            Status = ReferralStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
