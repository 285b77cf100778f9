using Portal.Core.Data;
using Portal.Core.Features.Routing;

namespace Portal.Tests.Unit.Routing;

/// <summary>The partner-choice rules: each filter, the crisis-line rule, the ranking and the tie-break, and the reason given when nobody fits.</summary>
public sealed class PartnerChoiceTests
{
    private static readonly string[] AllLanguages = ["en", "fi", "sv"];

    private static PartnerCandidate Partner(long id, PartnerType type = PartnerType.Counselling, bool active = true, bool crisis = false, string[]? regions = null, string[]? languages = null, int remaining = 10) =>
        new(id, type, active, crisis, regions ?? [], languages ?? AllLanguages, remaining);

    private static ReferralNeeds Needs(PartnerType type = PartnerType.Counselling, bool urgent = false, string? region = "pirkanmaa", string language = "fi", long[]? tried = null) =>
        new(type, urgent, region, language, (tried ?? []).ToHashSet());

    private static long? Chosen(ReferralNeeds needs, params PartnerCandidate[] partners) => PartnerChoice.Choose(needs, partners).Partner?.Id;

    private static NoPartnerReason? Reason(ReferralNeeds needs, params PartnerCandidate[] partners) => PartnerChoice.Choose(needs, partners).Reason;

    [Fact]
    public void OnlyPartnersOfTheReferralsType_AreChosen()
    {
        Assert.Equal(2, Chosen(Needs(PartnerType.Police), Partner(1, PartnerType.Counselling), Partner(2, PartnerType.Police)));
        Assert.Equal(1, Chosen(Needs(PartnerType.Counselling), Partner(1, PartnerType.Counselling), Partner(2, PartnerType.Police)));
        Assert.Equal(NoPartnerReason.NoPartnerOfType, Reason(Needs(PartnerType.Police), Partner(1, PartnerType.Counselling)));
    }

    [Fact]
    public void InactivePartners_GetNothing()
    {
        Assert.Equal(2, Chosen(Needs(), Partner(1, active: false), Partner(2)));
        Assert.Equal(NoPartnerReason.NoneActive, Reason(Needs(), Partner(1, active: false)));
    }

    [Fact]
    public void APartnerThatDeclinedOrTimedOut_IsNotChosenAgain()
    {
        Assert.Equal(2, Chosen(Needs(tried: [1]), Partner(1), Partner(2)));
        Assert.Equal(NoPartnerReason.AllTried, Reason(Needs(tried: [1, 2]), Partner(1), Partner(2)));
    }

    [Fact]
    public void APartnerWithoutCapacityLeftToday_IsSkipped()
    {
        Assert.Equal(2, Chosen(Needs(), Partner(1, remaining: 0), Partner(2, remaining: 1)));
        Assert.Equal(NoPartnerReason.NoneWithCapacity, Reason(Needs(), Partner(1, remaining: 0)));
    }

    [Fact]
    public void RegionalPartners_ServeOnlyTheirRegions_AndComeBeforeThoseCoveringEverywhere()
    {
        var everywhere = Partner(1);
        var tampere = Partner(2, regions: ["pirkanmaa"]);
        var helsinki = Partner(3, regions: ["uusimaa"]);

        Assert.Equal(2, Chosen(Needs(region: "pirkanmaa"), everywhere, tampere, helsinki));
        Assert.Equal(3, Chosen(Needs(region: "uusimaa"), everywhere, tampere, helsinki));
        Assert.Equal(1, Chosen(Needs(region: "lappi"), everywhere, tampere, helsinki));
        Assert.Equal(NoPartnerReason.NoneServesRegion, Reason(Needs(region: "lappi"), tampere, helsinki));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("outside-finland")]
    [InlineData("not-said")]
    [InlineData("atlantis")]
    public void AVictimWithoutAFinnishRegion_IsServedByPartnersCoveringEveryRegion(string? region)
    {
        Assert.Equal(1, Chosen(Needs(region: region), Partner(1), Partner(2, regions: ["uusimaa"])));
        Assert.Equal(NoPartnerReason.NoneServesRegion, Reason(Needs(region: region), Partner(2, regions: ["uusimaa"])));
    }

    [Fact]
    public void ThePartnerMustWorkInTheCasesLanguage()
    {
        Assert.Equal(2, Chosen(Needs(language: "sv"), Partner(1, languages: ["fi"]), Partner(2, languages: ["fi", "sv"])));
        Assert.Equal(NoPartnerReason.NoneSpeaksLanguage, Reason(Needs(language: "en"), Partner(1, languages: ["fi", "sv"])));
    }

    [Fact]
    public void AnUrgentCounsellingReferral_GoesToACrisisLineFirst()
    {
        var charity = Partner(1, remaining: 50);
        var crisisLine = Partner(2, crisis: true, remaining: 1);

        Assert.Equal(2, Chosen(Needs(urgent: true), charity, crisisLine));
    }

    [Fact]
    public void AnUrgentCounsellingReferral_FallsBackToOtherCounselling_WhenNoCrisisLineCanTakeIt()
    {
        Assert.Equal(1, Chosen(Needs(urgent: true), Partner(1), Partner(2, crisis: true, remaining: 0)));
        Assert.Equal(1, Chosen(Needs(urgent: true, tried: [2]), Partner(1), Partner(2, crisis: true)));
    }

    [Fact]
    public void CrisisLines_KeepTheirCapacityForUrgentCases()
    {
        Assert.Equal(1, Chosen(Needs(urgent: false), Partner(1, remaining: 1), Partner(2, crisis: true, remaining: 100)));
        Assert.Equal(NoPartnerReason.NoPartnerOfType, Reason(Needs(urgent: false), Partner(2, crisis: true)));
    }

    [Fact]
    public void TheCrisisLineRule_DoesNotApplyToPolice()
    {
        Assert.Equal(1, Chosen(Needs(PartnerType.Police, urgent: true), Partner(1, PartnerType.Police), Partner(2, PartnerType.Counselling, crisis: true)));
    }

    [Fact]
    public void AmongEquals_TheOneWithMostCapacityLeft_ThenTheLowestId_IsChosen()
    {
        Assert.Equal(3, Chosen(Needs(), Partner(1, remaining: 2), Partner(3, remaining: 9), Partner(2, remaining: 5)));
        Assert.Equal(2, Chosen(Needs(), Partner(4, remaining: 5), Partner(2, remaining: 5), Partner(3, remaining: 5)));
    }

    [Fact]
    public void TheChoice_DoesNotDependOnTheOrderPartnersAreListedIn()
    {
        var partners = new[]
        {
            Partner(5, regions: ["pirkanmaa"], remaining: 3),
            Partner(1, remaining: 9),
            Partner(7, regions: ["pirkanmaa"], remaining: 3),
            Partner(2, crisis: true),
            Partner(9, regions: ["pirkanmaa"], languages: ["sv"]),
        };
        var expected = Chosen(Needs(), partners);

        Assert.Equal(5, expected);
        for (var shift = 0; shift < partners.Length; shift++)
        {
            var rotated = partners.Skip(shift).Concat(partners.Take(shift)).ToArray();
            Assert.Equal(expected, Chosen(Needs(), rotated));
            Assert.Equal(expected, Chosen(Needs(), rotated.Reverse().ToArray()));
        }
    }

    [Fact]
    public void WhenNobodyFits_TheFirstRuleThatEmptiedTheList_IsTheReason()
    {
        // Who could serve the victim at all comes before who can now: inactive and out of region
        // is reported as the region, and an inactive partner for the region as inactive.
        Assert.Equal(NoPartnerReason.NoneServesRegion, Reason(Needs(region: "lappi"), Partner(1, active: false, regions: ["uusimaa"])));
        Assert.Equal(NoPartnerReason.NoneActive, Reason(Needs(region: "lappi"), Partner(1, active: false, regions: ["lappi"]), Partner(2, regions: ["uusimaa"])));
        Assert.Equal(NoPartnerReason.AllTried, Reason(Needs(region: "lappi", tried: [1]), Partner(1, regions: ["lappi"], remaining: 0)));
        Assert.Equal(NoPartnerReason.NoPartnerOfType, Reason(Needs()));
    }

    [Fact]
    public void CapacityLeft_IsTheDailyCapacityLessTodaysAssignments_NeverNegative()
    {
        var partner = new Partner { Id = 4, Name = "P", ContactEmail = "p@test.example", Type = PartnerType.Police, Active = true, DailyCapacity = 3, Languages = ["fi"] };

        Assert.Equal(1, PartnerCandidate.From(partner, 2).RemainingToday);
        Assert.Equal(0, PartnerCandidate.From(partner, 7).RemainingToday);
    }

    [Fact]
    public void APartnersDay_StartsAtMidnightInHelsinki()
    {
        // 2026-11-23 21:30 UTC is already 24 November in Helsinki (UTC+2 in winter).
        Assert.Equal(new DateTime(2026, 11, 23, 22, 0, 0, DateTimeKind.Utc), PartnerDay.StartUtc(new DateTime(2026, 11, 23, 23, 30, 0, DateTimeKind.Utc), "Europe/Helsinki"));
        Assert.Equal(new DateTime(2026, 11, 22, 22, 0, 0, DateTimeKind.Utc), PartnerDay.StartUtc(new DateTime(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc), "Europe/Helsinki"));

        // Summer time: UTC+3.
        Assert.Equal(new DateTime(2026, 6, 30, 21, 0, 0, DateTimeKind.Utc), PartnerDay.StartUtc(new DateTime(2026, 7, 1, 12, 0, 0, DateTimeKind.Utc), "Europe/Helsinki"));
    }
}
