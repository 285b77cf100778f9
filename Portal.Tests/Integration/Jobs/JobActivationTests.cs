using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Jobs;

/// <summary>
/// Hangfire creates a job's class from the container only when the job runs, so a job whose
/// handler was never registered fails at run time, in production, hours later. Every job type
/// is created here from the real portal's services instead.
/// </summary>
public sealed class JobActivationTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    [Fact]
    public async Task EveryJob_CanBeCreatedFromThePortalsServices()
    {
        var jobTypes = typeof(Portal.Web.Jobs.PortalJobKeys).Assembly.GetTypes()
            .Where(t => t.Namespace == "Portal.Web.Jobs" && t is { IsClass: true, IsAbstract: false } && t.GetMethod("RunAsync") is not null)
            .ToList();
        Assert.True(jobTypes.Count >= 11, $"only {jobTypes.Count} job types found: the scan is broken");

        await using var scope = factory.Services.CreateAsyncScope();
        foreach (var type in jobTypes)
        {
            var job = ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, type);
            Assert.IsType(type, job);
        }
    }
}
