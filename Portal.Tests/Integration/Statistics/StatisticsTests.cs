using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Statistics;

/// <summary>
/// Statistics for funders and helpline leads on each provider: counts per local day and week
/// (Europe/Helsinki), risk levels, routes and the median time to a first answer, on the page and
/// as CSV with small counts hidden; the download is recorded. A fresh portal per test.
/// </summary>
public abstract class StatisticsTests<TFactory> : IAsyncLifetime
    where TFactory : PortalFactory, new()
{
    private readonly TFactory factory = new();

    public Task InitializeAsync() => ((IAsyncLifetime)factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)factory).DisposeAsync();

    [Fact]
    public async Task PerLocalDay_CountsReportsRiskRoutesAndMedianResponse_AndTheCsvHidesSmallCounts()
    {
        // The clock stands at 2026-11-23 09:00 UTC, 11:00 in Helsinki.
        var references = new List<string>();
        var nov21 = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc);
        var nov22 = new DateTime(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc);
        references.AddRange(await ReportsAsync(nov21, CasePriority.Normal, 6));
        references.AddRange(await ReportsAsync(nov21, CasePriority.High, 2));
        references.AddRange(await ReportsAsync(nov22, CasePriority.Normal, 4, answeredAfterMinutes: [30, 60, 90, 120]));
        references.AddRange(await ReportsAsync(nov22, CasePriority.Urgent, 2, answeredAfterMinutes: [150]));
        // 22:30 UTC on the 22nd is 00:30 on the 23rd in Helsinki: counted on the 23rd.
        references.AddRange(await ReportsAsync(new DateTime(2026, 11, 22, 22, 30, 0, DateTimeKind.Utc), CasePriority.Raised, 1));
        await DecisionsAsync(nov22.AddHours(2), TriageRoute.Police, 3);
        await DecisionsAsync(nov22.AddHours(3), TriageRoute.Close, 1);

        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var page = await supervisor.GetPageAsync("/staff/statistics");

        string? Cell(string day, string cell) => page.QuerySelector($"[data-testid=statistics-row][data-start='{day}'] [data-testid={cell}]")?.TextContent;
        Assert.Equal(30, page.QuerySelectorAll("[data-testid=statistics-row]").Length);
        Assert.Equal("2026-11-23", page.QuerySelectorAll("[data-testid=statistics-row]")[^1].GetAttribute("data-start"));
        Assert.Equal(("8", "6", "2"), (Cell("2026-11-21", "stat-reports"), Cell("2026-11-21", "stat-priority-Normal"), Cell("2026-11-21", "stat-priority-High")));
        Assert.Equal(("6", "2", "3", "1"), (Cell("2026-11-22", "stat-reports"), Cell("2026-11-22", "stat-priority-Urgent"), Cell("2026-11-22", "stat-route-Police"), Cell("2026-11-22", "stat-route-Close")));
        Assert.Equal(("5", "90"), (Cell("2026-11-22", "stat-answered"), Cell("2026-11-22", "stat-median")));
        Assert.Equal(("1", "1"), (Cell("2026-11-23", "stat-reports"), Cell("2026-11-23", "stat-priority-Raised")));
        Assert.Equal(["8", "6", "1"], page.QuerySelectorAll("#reports-day rect.chart-bar").Skip(27).Select(b => b.GetAttribute("data-count")));
        Assert.Equal(["0", "2", "0"], page.QuerySelectorAll("#risk-urgent rect.chart-bar").Skip(27).Select(b => b.GetAttribute("data-count")));
        Assert.Equal("90", page.QuerySelectorAll("#response-day rect.chart-bar").Skip(28).First().GetAttribute("data-count"));
        Assert.Equal("img", page.QuerySelector("#route-police svg")?.GetAttribute("role"));

        var weekly = await supervisor.GetPageAsync("/staff/statistics?by=Week");
        Assert.Equal(26, weekly.QuerySelectorAll("[data-testid=statistics-row]").Length);
        Assert.Equal(["2026-11-16", "2026-11-23"], weekly.QuerySelectorAll("[data-testid=statistics-row]").Skip(24).Select(r => r.GetAttribute("data-start")));
        Assert.Equal(["14", "1"], weekly.QuerySelectorAll("[data-testid=statistics-row] [data-testid=stat-reports]").Skip(24).Select(td => td.TextContent));

        using var export = await supervisor.GetAsync("/staff/statistics/export?by=Day");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        var csv = await export.Content.ReadAsStringAsync();
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("period_start,period_days,reports,priority_normal,priority_raised,priority_high,priority_urgent,decided_police,decided_counselling,decided_police_and_counselling,decided_information_only,decided_closed,answered,median_first_response_minutes", lines[0]);
        Assert.Equal(31, lines.Length);
        Assert.Equal("2026-11-21,1,8,x,0,<5,0,0,0,0,0,0,0,", Assert.Single(lines, l => l.StartsWith("2026-11-21", StringComparison.Ordinal)));
        Assert.Equal("2026-11-22,1,6,<5,0,0,<5,<5,0,0,0,<5,5,90.0", Assert.Single(lines, l => l.StartsWith("2026-11-22", StringComparison.Ordinal)));
        Assert.Equal("2026-11-23,1,<5,0,<5,0,0,0,0,0,0,0,0,", Assert.Single(lines, l => l.StartsWith("2026-11-23", StringComparison.Ordinal)));
        Assert.Equal("2026-10-25,1,0,0,0,0,0,0,0,0,0,0,0,", lines[1]);
        Assert.All(references, r => Assert.DoesNotContain(r, csv, StringComparison.Ordinal));

        var exported = Assert.Single(await factory.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.StatisticsExported).ToListAsync()));
        Assert.Equal("Day", exported.Subject);
        Assert.Equal(AuditActor.Staff, exported.ActorKind);
    }

    private async Task<List<string>> ReportsAsync(DateTime createdAt, CasePriority priority, int count, int[]? answeredAfterMinutes = null)
    {
        var references = new List<string>();
        await factory.QueryAsync(async db =>
        {
            for (var i = 0; i < count; i++)
            {
                var reference = "VS-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(2)) + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(2));
                references.Add(reference);
                var entity = new Case
                {
                    Id = Guid.CreateVersion7(),
                    Reference = reference,
                    ReceiptHash = RandomNumberGenerator.GetBytes(32),
                    SubmissionId = Guid.NewGuid(),
                    CreatedAt = createdAt.AddMinutes(i),
                    UpdatedAt = createdAt,
                    Priority = priority,
                    Language = "fi",
                    NarrativeEnvelope = RandomNumberGenerator.GetBytes(40),
                };
                if (answeredAfterMinutes is { } answered && i < answered.Length)
                {
                    entity.RecordFirstResponse(entity.CreatedAt.AddMinutes(answered[i]));
                }

                db.Cases.Add(entity);
            }

            return await db.SaveChangesAsync();
        });
        return references;
    }

    private async Task DecisionsAsync(DateTime decidedAt, TriageRoute route, int count)
    {
        var cases = await factory.QueryAsync(db => db.Cases.OrderBy(c => c.Id).Select(c => c.Id).Take(count).ToListAsync());
        await factory.QueryAsync(async db =>
        {
            db.TriageDecisions.AddRange(cases.Select(id => new TriageDecision { CaseId = id, Route = route, DecidedById = "someone", DecidedAt = decidedAt, Reason = route == TriageRoute.Close ? "closing" : null }));
            return await db.SaveChangesAsync();
        });
    }
}

public sealed class SqliteStatisticsTests : StatisticsTests<SqlitePortalFactory>;

public sealed class PostgresStatisticsTests : StatisticsTests<PostgresPortalFactory>;
