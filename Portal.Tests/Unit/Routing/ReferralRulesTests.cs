using Portal.Core.Data;
using Portal.Core.Features.Routing;

namespace Portal.Tests.Unit.Routing;

/// <summary>Consent at the referral level: whoever asks, no referral exists that the victim did not agree to.</summary>
public sealed class ReferralRulesTests
{
    private static Case NewCase(bool police, bool counselling, bool selfHarm = false, bool danger = false) =>
        new() { Id = Guid.NewGuid(), Reference = "VS-0000-0000", ReceiptHash = [], Language = "fi", NarrativeEnvelope = [], ConsentPolice = police, ConsentCounselling = counselling, RiskSelfHarm = selfHarm, RiskImmediateDanger = danger };

    [Fact]
    public void Create_WithoutPoliceConsent_RefusesAPoliceReferral()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => ReferralRules.Create(NewCase(police: false, counselling: true), PartnerType.Police, DateTime.UtcNow));
        Assert.Contains("no consent", exception.Message, StringComparison.Ordinal);
        Assert.Equal(PartnerType.Counselling, ReferralRules.Create(NewCase(police: false, counselling: true), PartnerType.Counselling, DateTime.UtcNow).PartnerType);
    }

    [Fact]
    public void Create_WithoutCounsellingConsent_RefusesACounsellingReferral()
    {
        Assert.Throws<InvalidOperationException>(() => ReferralRules.Create(NewCase(police: true, counselling: false), PartnerType.Counselling, DateTime.UtcNow));
        var police = ReferralRules.Create(NewCase(police: true, counselling: false), PartnerType.Police, DateTime.UtcNow);
        Assert.Equal(ReferralStatus.Pending, police.Status);
    }

    [Theory]
    [InlineData(TriageRoute.Police, new[] { PartnerType.Police })]
    [InlineData(TriageRoute.Counselling, new[] { PartnerType.Counselling })]
    [InlineData(TriageRoute.PoliceAndCounselling, new[] { PartnerType.Police, PartnerType.Counselling })]
    [InlineData(TriageRoute.InformationOnly, new PartnerType[0])]
    [InlineData(TriageRoute.Close, new PartnerType[0])]
    public void EachRoute_MakesItsReferrals(TriageRoute route, PartnerType[] expected) =>
        Assert.Equal(expected, ReferralRules.TypesFor(route));

    [Theory]
    [InlineData(true, false, true, true)]
    [InlineData(false, true, true, true)]
    [InlineData(true, true, false, false)]
    [InlineData(false, false, true, false)]
    public void OnlyAnUrgentCaseWithCounsellingConsent_GetsACrisisReferralOnSubmission(bool selfHarm, bool danger, bool counselling, bool expected)
    {
        var entity = NewCase(police: false, counselling: counselling, selfHarm: selfHarm, danger: danger);

        Assert.Equal(expected, ReferralRules.NeedsCrisisReferral(entity));
        Assert.Equal(selfHarm || danger, ReferralRules.Create(NewCase(true, true, selfHarm, danger), PartnerType.Police, DateTime.UtcNow).Urgent);
    }
}
