using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Json;
using Portal.Web.Hosting;

namespace Portal.Tests.Unit.Hosting;

/// <summary>The host as Program.cs and the CLI build it (docs/decisions/0031).</summary>
public sealed class PortalHostTests
{
    [Fact]
    public void SettingsFiles_AreReadOnce_NotWatched()
    {
        var builder = WebApplication.CreateBuilder(PortalHost.Options([]));

        var files = builder.Configuration.Sources.OfType<JsonConfigurationSource>().ToList();
        Assert.Contains(files, f => f.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.ReloadOnChange, $"{f.Path} is watched"));
    }

    [Fact]
    public void AnOperatorWhoAsksForReloading_GetsIt()
    {
        var builder = WebApplication.CreateBuilder(PortalHost.Options(["--hostBuilder:reloadConfigOnChange=true"]));

        Assert.All(builder.Configuration.Sources.OfType<JsonConfigurationSource>(), f => Assert.True(f.ReloadOnChange));
    }
}
