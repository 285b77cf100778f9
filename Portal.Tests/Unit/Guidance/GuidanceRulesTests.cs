using Portal.Core.Data;
using Portal.Core.Features.Guidance;

namespace Portal.Tests.Unit.Guidance;

public sealed class GuidanceRulesTests
{
    private static GuidanceAnswers Answers(bool risk = false, bool under18 = false, YesNoUnsure paid = YesNoUnsure.No, YesNoUnsure published = YesNoUnsure.No) =>
        new(risk, under18, paid, published, ConsentPolice: true, ConsentCounselling: true);

    [Fact]
    public void Select_RiskFlagged_PutsCrisisHelpFirst()
    {
        var steps = GuidanceRules.Select(Answers(risk: true, under18: true, paid: YesNoUnsure.Yes));

        Assert.Equal(GuidanceRules.CrisisHelp, steps[0]);
        Assert.Equal(GuidanceRules.YoungPeople, steps[1]);
    }

    [Fact]
    public void Select_NoRisk_NeverShowsCrisisFirst_ButAlwaysTheCoreSteps()
    {
        var steps = GuidanceRules.Select(Answers());

        Assert.DoesNotContain(GuidanceRules.CrisisHelp, steps);
        Assert.DoesNotContain(GuidanceRules.YoungPeople, steps);
        Assert.DoesNotContain(GuidanceRules.DataPublished, steps);
        Assert.Equal(
            [GuidanceRules.DontPay, GuidanceRules.SaveEmailHeaders, GuidanceRules.PoliceReport, GuidanceRules.ProtectIdentityMoney, GuidanceRules.TalkToSomeone],
            steps);
    }

    [Fact]
    public void Select_AlreadyPaid_ProtectsMoneyBeforeEverythingButCrisis()
    {
        var steps = GuidanceRules.Select(Answers(paid: YesNoUnsure.Yes));

        Assert.Equal(GuidanceRules.ProtectIdentityMoney, steps[0]);
        Assert.Single(steps, GuidanceRules.ProtectIdentityMoney);
    }

    [Theory]
    [InlineData(YesNoUnsure.Yes, true)]
    [InlineData(YesNoUnsure.Unsure, true)]
    [InlineData(YesNoUnsure.No, false)]
    public void Select_DataMaybePublished_AddsWhatToDoAboutIt(YesNoUnsure published, bool expected)
    {
        Assert.Equal(expected, GuidanceRules.Select(Answers(published: published)).Contains(GuidanceRules.DataPublished));
    }
}
