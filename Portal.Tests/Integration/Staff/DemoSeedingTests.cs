using Microsoft.EntityFrameworkCore;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Staff;

/// <summary>A portal that seeds its demo data, as a Development run does.</summary>
public sealed class DemoPortalFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Demo:Enabled", "true")];
}

/// <summary>Issue 16, defect 9: a Development run has prepared replies to try, in every language the portal speaks.</summary>
public sealed class DemoSeedingTests(DemoPortalFactory factory) : IClassFixture<DemoPortalFactory>
{
    [Fact]
    public async Task DemoRun_SeedsPreparedReplies_InEnglishFinnishAndSwedish()
    {
        // Starting the portal seeds.
        using var client = factory.CreatePortalClient();
        var replies = await factory.QueryAsync(db => db.CannedResponses.AsNoTracking().OrderBy(r => r.Id).ToListAsync());

        Assert.True(replies.Count >= 3, $"only {replies.Count} prepared replies");
        Assert.All(replies, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Title));
            Assert.All(new[] { r.BodyEn, r.BodyFi, r.BodySv }, body => Assert.True(body.Length > 40, body));
            Assert.NotEqual(r.BodyEn, r.BodyFi);
            Assert.NotEqual(r.BodyEn, r.BodySv);
        });
        Assert.Contains(replies, r => r.BodyFi.Contains("Älä maksa", StringComparison.Ordinal));
        Assert.Contains(replies, r => r.BodySv.Contains("Betala inte", StringComparison.Ordinal));
        Assert.Equal(replies.Count, replies.Select(r => r.Title).Distinct().Count());
        Assert.True(await factory.QueryAsync(db => db.Users.AnyAsync(u => u.Email == "supervisor@portal.test")));
    }
}
