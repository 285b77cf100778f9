using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Support;
using Portal.Web.Security;

namespace Portal.Tests.Integration.Evidence;

/// <summary>The portal's host as Program builds it (no test re-wiring): Kestrel gets the portal's buffer pool.</summary>
public sealed class ServerBufferTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public void KestrelsBufferPool_IsThePortals_NotTheDefault()
    {
        // Program registers its pool after the web host has registered Kestrel's default, so it wins.
        _ = factory.Services;

        Assert.IsType<ServerMemoryPoolFactory>(factory.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }
}
