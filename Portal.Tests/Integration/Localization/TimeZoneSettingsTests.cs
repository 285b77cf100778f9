using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Features;
using Portal.Core.Features.CaseFile;
using Portal.Core.Features.Reports;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Localization;

/// <summary>A helpline in Stockholm: Portal:TimeZone alone moves every zone the portal uses.</summary>
public sealed class StockholmPortalFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Portal:TimeZone", "Europe/Stockholm")];
}

/// <summary>A helpline in Stockholm whose victims' pages are set apart to Helsinki time.</summary>
public sealed class VictimsApartPortalFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Portal:TimeZone", "Europe/Stockholm"), new("Reports:TimeZone", "Europe/Helsinki")];
}

public sealed class TimeZoneSettingsTests(StockholmPortalFactory stockholm, VictimsApartPortalFactory apart)
    : IClassFixture<StockholmPortalFactory>, IClassFixture<VictimsApartPortalFactory>
{
    [Fact]
    public void PortalTimeZone_Alone_SetsTheVictimsPages_TheCaseFile_AndPartnersDays()
    {
        var services = stockholm.Services;

        Assert.Equal("Europe/Stockholm", services.GetRequiredService<PortalTimeZone>().Id);
        Assert.Equal("Europe/Stockholm", services.GetRequiredService<IOptions<ReportOptions>>().Value.TimeZone);
        Assert.Equal("Europe/Stockholm", services.GetRequiredService<IOptions<CaseFileOptions>>().Value.TimeZone);
        Assert.Equal("Europe/Stockholm", services.GetRequiredService<IOptions<RoutingOptions>>().Value.DayTimeZone);
    }

    [Fact]
    public void AZoneSetApart_KeepsItsOwnValue_TheOthersFollowThePortal()
    {
        var services = apart.Services;

        Assert.Equal("Europe/Helsinki", services.GetRequiredService<IOptions<ReportOptions>>().Value.TimeZone);
        Assert.Equal("Europe/Stockholm", services.GetRequiredService<IOptions<CaseFileOptions>>().Value.TimeZone);
        Assert.Equal("Europe/Stockholm", services.GetRequiredService<IOptions<RoutingOptions>>().Value.DayTimeZone);
    }
}
