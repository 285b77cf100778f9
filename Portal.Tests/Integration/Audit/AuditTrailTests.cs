using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Audit;

/// <summary>
/// The hash-chained trail on each provider. Every test gets a portal (and database) of its own,
/// because most of them break the chain on purpose.
/// </summary>
public abstract class AuditTrailTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, new()
{
    private readonly TFactory factory = new();

    public Task InitializeAsync() => ((IAsyncLifetime)factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)factory).DisposeAsync();

    [Fact]
    public async Task ParallelAppends_FormOneUnbrokenChain()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => AppendAsync(AuditEvent.System("test.parallel", detail: i.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

        var result = await VerifyAsync();

        Assert.True(result.IsIntact, result.Problem);
        Assert.Equal(40, result.EntriesChecked);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var entries = await db.AuditEntries.OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(40, entries.Select(e => e.Detail).Distinct().Count());
        for (var i = 1; i < entries.Count; i++)
        {
            Assert.Equal(entries[i - 1].Mac, entries[i].PreviousMac);
        }
    }

    [Fact]
    public async Task EditedEntry_IsNamed()
    {
        var ids = await AppendThreeAsync();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            await db.AuditEntries.Where(e => e.Id == ids[1]).ExecuteUpdateAsync(e => e.SetProperty(x => x.Detail, "quietly changed"));
        }

        var result = await VerifyAsync();

        Assert.False(result.IsIntact);
        Assert.Equal(ids[1], result.BrokenEntryId);
        Assert.Contains("changed", result.Problem, StringComparison.Ordinal);
        Assert.Equal(1, result.EntriesChecked);
    }

    [Fact]
    public async Task DeletedEntry_BreaksTheLinkOfTheNextOne()
    {
        var ids = await AppendThreeAsync();
        await DeleteAsync(ids[1]);

        var result = await VerifyAsync();

        Assert.False(result.IsIntact);
        Assert.Equal(ids[2], result.BrokenEntryId);
        Assert.Contains("deleted", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletedNewestEntry_IsCaughtByTheHead()
    {
        var ids = await AppendThreeAsync();
        await DeleteAsync(ids[2]);

        var result = await VerifyAsync();

        Assert.False(result.IsIntact);
        Assert.Equal(ids[2], result.BrokenEntryId);
        Assert.Contains("newest entries were deleted", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VictimActions_NeverRecordAnAddress_StaffActionsDo()
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using (var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var victim = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.ReportSubmitted);
        var staff = await db.AuditEntries.SingleAsync(e => e.Action == AuditActions.StaffSignIn);
        Assert.Equal(AuditActor.Victim, victim.ActorKind);
        Assert.NotNull(victim.CaseId);
        Assert.Null(victim.IpAddress);
        Assert.Null(victim.ActorId);
        Assert.Equal(PortalFactory.ClientAddress.ToString(), staff.IpAddress);
        Assert.NotNull(staff.ActorId);
        Assert.True((await VerifyAsync()).IsIntact);
    }

    private async Task<long[]> AppendThreeAsync() =>
    [
        await AppendAsync(AuditEvent.System("test.one")),
        await AppendAsync(AuditEvent.System("test.two", detail: "original")),
        await AppendAsync(AuditEvent.System("test.three")),
    ];

    private async Task<long> AppendAsync(AuditEvent audit)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditTrail>().AppendAsync(audit, CancellationToken.None);
    }

    private async Task<AuditVerification> VerifyAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VerifyAuditTrail>().HandleAsync(CancellationToken.None);
    }

    private async Task DeleteAsync(long id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.Where(e => e.Id == id).ExecuteDeleteAsync();
    }
}

public sealed class SqliteAuditTrailTests : AuditTrailTests<SqlitePortalFactory>;

public sealed class PostgresAuditTrailTests : AuditTrailTests<PostgresPortalFactory>;
