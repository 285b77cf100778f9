using Portal.Core.Data;

namespace Portal.Core.Features.Reports;

/// <summary>Where a new case enters the triage queue. The most pressing rule that applies wins.</summary>
public static class CasePriorityRules
{
    /// <summary>
    /// A risk question answered "I'd rather not say" (<c>riskWithheld</c>) is not treated as a yes
    /// (no crisis referral is made without one), but read soon, as a young person's report is.
    /// </summary>
    public static CasePriority Compute(bool riskSelfHarm, bool riskImmediateDanger, bool isUnder18, YesNoUnsure paid, YesNoUnsure dataPublished, bool riskWithheld = false)
    {
        if (riskSelfHarm || riskImmediateDanger)
        {
            return CasePriority.Urgent;
        }

        if (isUnder18 || riskWithheld)
        {
            return CasePriority.High;
        }

        if (paid == YesNoUnsure.Yes || dataPublished == YesNoUnsure.Yes)
        {
            return CasePriority.Raised;
        }

        return CasePriority.Normal;
    }
}
