using Portal.Core.Data;
using Portal.Core.Features.Reports;

namespace Portal.Tests.Unit.Reports;

public sealed class CasePriorityRulesTests
{
    [Theory]
    [InlineData(true, false, false, YesNoUnsure.No, YesNoUnsure.No, CasePriority.Urgent)]
    [InlineData(false, true, false, YesNoUnsure.No, YesNoUnsure.No, CasePriority.Urgent)]
    [InlineData(true, true, true, YesNoUnsure.Yes, YesNoUnsure.Yes, CasePriority.Urgent)]
    [InlineData(false, false, true, YesNoUnsure.Yes, YesNoUnsure.No, CasePriority.High)]
    [InlineData(false, false, true, YesNoUnsure.No, YesNoUnsure.No, CasePriority.High)]
    [InlineData(false, false, false, YesNoUnsure.Yes, YesNoUnsure.No, CasePriority.Raised)]
    [InlineData(false, false, false, YesNoUnsure.No, YesNoUnsure.Yes, CasePriority.Raised)]
    [InlineData(false, false, false, YesNoUnsure.Unsure, YesNoUnsure.Unsure, CasePriority.Normal)]
    [InlineData(false, false, false, YesNoUnsure.No, YesNoUnsure.No, CasePriority.Normal)]
    public void Compute_TheMostPressingRuleWins(bool selfHarm, bool danger, bool under18, YesNoUnsure paid, YesNoUnsure published, CasePriority expected)
    {
        Assert.Equal(expected, CasePriorityRules.Compute(selfHarm, danger, under18, paid, published));
    }
}
