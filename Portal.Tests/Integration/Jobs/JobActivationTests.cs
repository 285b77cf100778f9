using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Support;
using Quartz;

namespace Portal.Tests.Integration.Jobs;

/// <summary>
/// Quartz creates jobs from the container only when they fire, so a job whose handler was never
/// registered fails at run time, in production, hours later. Every job type is created here from
/// the real portal's services instead.
/// </summary>
public sealed class JobActivationTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task EveryJob_CanBeCreatedFromThePortalsServices()
    {
        var jobTypes = typeof(Portal.Web.Jobs.PortalJobKeys).Assembly.GetTypes()
            .Where(t => typeof(IJob).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToList();
        Assert.True(jobTypes.Count >= 9, $"only {jobTypes.Count} job types found: the scan is broken");

        await using var scope = factory.Services.CreateAsyncScope();
        foreach (var type in jobTypes)
        {
            var job = ActivatorUtilities.CreateInstance(scope.ServiceProvider, type);
            Assert.IsType(type, job);
        }
    }
}
