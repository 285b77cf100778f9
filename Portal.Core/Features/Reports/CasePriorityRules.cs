using Portal.Core.Data;

namespace Portal.Core.Features.Reports;

/// <summary>Where a new case enters the triage queue. The most pressing rule that applies wins.</summary>
public static class CasePriorityRules
{
    public static CasePriority Compute(bool riskSelfHarm, bool riskImmediateDanger, bool isUnder18, YesNoUnsure paid, YesNoUnsure dataPublished)
    {
        if (riskSelfHarm || riskImmediateDanger)
        {
            return CasePriority.Urgent;
        }

        if (isUnder18)
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
