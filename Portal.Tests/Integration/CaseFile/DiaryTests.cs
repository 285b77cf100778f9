using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.CaseFile;

public sealed class SqliteDiaryTests(SqlitePortalFactory factory) : DiaryTests<SqlitePortalFactory>(factory);

public sealed class PostgresDiaryTests(PostgresPortalFactory factory) : DiaryTests<PostgresPortalFactory>(factory);

/// <summary>
/// The victim's diary: written, changed and deleted by the victim only, sealed at rest (only the
/// date and the sharing flag are plain), audited without content, and another case's entry is
/// not found.
/// </summary>
public abstract class DiaryTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Victim_WritesChangesAndDeletesAnEntry_SealedAtRest_AuditedWithoutContent()
    {
        var canary = "CANARY-diary-" + Guid.NewGuid().ToString("N")[..8];
        var (client, filed) = await CaseFileSteps.FileAsync(factory);

        using (var added = await CaseFileSteps.AddEntryAsync(client, $"Called the police about the email. {canary}", kind: "Call", amount: "12,50"))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
            Assert.StartsWith("/status/diary?saved=added", added.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        var page = await client.GetPageAsync("/status/diary");
        var entry = Assert.Single(page.QuerySelectorAll("[data-testid=diary-entry]"));
        Assert.Contains(canary, entry.TextContent, StringComparison.Ordinal);
        Assert.Contains("12.50", entry.TextContent, StringComparison.Ordinal);
        var row = await factory.QueryAsync(db => db.DiaryEntries.AsNoTracking().SingleAsync(d => d.CaseId == filed.Id));
        Assert.Equal(new DateOnly(2026, 11, 20), row.OccurredOn);
        Assert.False(row.Shared);
        await AssertSealedAsync(canary);

        // Changed: new text, another date and kind, shared.
        var edit = await client.GetPageAsync($"/status/diary/{row.Id}");
        Assert.Equal(canary, edit.QuerySelector("#Text")?.TextContent.Split(' ')[^1]);
        using (var changed = await client.SubmitAsync(edit, $"/status/diary/{row.Id}", new Dictionary<string, string?>
        {
            ["OccurredOn"] = "2026-11-21",
            ["Kind"] = "TherapyVisit",
            ["Text"] = $"Therapy visit, could not work. {canary}-2",
            ["Amount"] = "",
            ["Shared"] = "true",
        }))
        {
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        }

        row = await factory.QueryAsync(db => db.DiaryEntries.AsNoTracking().SingleAsync(d => d.Id == row.Id));
        Assert.Equal(new DateOnly(2026, 11, 21), row.OccurredOn);
        Assert.True(row.Shared);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var opened = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>().OpenString(row.Envelope);
            Assert.Contains($"{canary}-2", opened, StringComparison.Ordinal);
            Assert.Contains($"\"kind\":{(int)DiaryEntryKind.TherapyVisit}", opened, StringComparison.Ordinal);
        }

        var again = await client.GetPageAsync($"/status/diary/{row.Id}/delete");
        using (var deleted = await client.SubmitAsync(again, $"/status/diary/{row.Id}/delete", new Dictionary<string, string?>()))
        {
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        }

        Assert.False(await factory.QueryAsync(db => db.DiaryEntries.AnyAsync(d => d.CaseId == filed.Id)));
        var audit = await factory.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(a => a.CaseId == filed.Id && a.Action.StartsWith("diary.")).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal([AuditActions.DiaryEntryAdded, AuditActions.DiaryEntryChanged, AuditActions.DiaryEntryDeleted], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(AuditActor.Victim, a.ActorKind));
        Assert.All(audit, a => Assert.Null(a.IpAddress));
        Assert.All(audit, a => Assert.Equal(row.Id.ToString(), a.Subject));
        Assert.Equal("shared", audit[1].Detail);
        Assert.DoesNotContain(audit, a => (a.Detail ?? "").Contains(canary, StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(canary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheSameDiaryForm_SentAgainOrTwiceAtOnce_AddsOneEntry_AndAnEditedResendAddsAnother()
    {
        var (client, filed) = await CaseFileSteps.FileAsync(factory);
        var page = await client.GetPageAsync("/status/diary");
        var fields = new Dictionary<string, string?> { ["OccurredOn"] = "2026-11-19", ["Kind"] = "Cost", ["Text"] = "Taxi to the police station.", ["Amount"] = "45,50" };

        // A second click, a retry after a lost answer, and six posts of the form at the same moment.
        using (var first = await client.SubmitAsync(page, "/status/diary", fields))
        using (var again = await client.SubmitAsync(page, "/status/diary", fields))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        }

        var burst = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.SubmitAsync(page, "/status/diary", fields)));
        Assert.All(burst, r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        foreach (var response in burst)
        {
            response.Dispose();
        }

        Assert.Equal(1, await factory.QueryAsync(db => db.DiaryEntries.CountAsync(d => d.CaseId == filed.Id)));
        Assert.Equal(1, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.CaseId == filed.Id && a.Action == AuditActions.DiaryEntryAdded)));
        Assert.Single((await client.GetPageAsync("/status/diary")).QuerySelectorAll("[data-testid=diary-entry]"));

        // The page kept open, its text changed and sent: that is a new entry, not a resend.
        fields["Text"] = "Taxi back home.";
        using (var edited = await client.SubmitAsync(page, "/status/diary", fields))
        {
            Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        }

        Assert.Equal(2, await factory.QueryAsync(db => db.DiaryEntries.CountAsync(d => d.CaseId == filed.Id)));
        Assert.Equal(2, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.CaseId == filed.Id && a.Action == AuditActions.DiaryEntryAdded)));
    }

    [Fact]
    public async Task Entry_WithAFutureDateNoTextAndABadAmount_Answers422WithTheFields_AndStoresNothing()
    {
        var (client, filed) = await CaseFileSteps.FileAsync(factory);
        var future = factory.Clock.GetUtcNow().AddDays(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        using var response = await CaseFileSteps.AddEntryAsync(client, "", date: future, amount: "lots");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        var links = page.QuerySelectorAll(".error-summary a").Select(a => a.GetAttribute("href")).ToList();
        // In the order of the questions on the page, as on the report form.
        Assert.Equal(["#OccurredOn", "#Text", "#Amount"], links);
        Assert.Equal("lots", page.QuerySelector("#Amount")?.GetAttribute("value"));
        Assert.Equal("true", page.QuerySelector("#Text")?.GetAttribute("aria-invalid"));
        Assert.False(await factory.QueryAsync(db => db.DiaryEntries.AnyAsync(d => d.CaseId == filed.Id)));
    }

    [Fact]
    public async Task AnotherCasesEntry_IsNotFound_ToRead_Change_OrDelete()
    {
        var (owner, _) = await CaseFileSteps.FileAsync(factory);
        using (var added = await CaseFileSteps.AddEntryAsync(owner, "Mine alone"))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }

        var ownerPage = await owner.GetPageAsync("/status/diary");
        var href = ownerPage.QuerySelector("[data-testid=diary-entry] a")?.GetAttribute("href") ?? "";
        var entryId = Guid.Parse(href.Split('/')[^1]);
        var (other, _) = await CaseFileSteps.FileAsync(factory);
        var otherPage = await other.GetPageAsync("/status/diary");
        var token = otherPage.QuerySelector("input[name='__af']")?.GetAttribute("value") ?? "";

        using var read = await other.GetAsync($"/status/diary/{entryId}");
        using var change = await other.PostAsync($"/status/diary/{entryId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__af"] = token, ["OccurredOn"] = "2026-11-20", ["Kind"] = "Note", ["Text"] = "overwritten",
        }));
        using var delete = await other.PostAsync($"/status/diary/{entryId}/delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token }));

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, change.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        var stored = await factory.QueryAsync(db => db.DiaryEntries.AsNoTracking().SingleAsync(d => d.Id == entryId));
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Contains("Mine alone", scope.ServiceProvider.GetRequiredService<EnvelopeCipher>().OpenString(stored.Envelope), StringComparison.Ordinal);
    }

    /// <summary>Neither the text nor the kind is readable in the database (SQLite: in the files themselves, WAL included).</summary>
    private async Task AssertSealedAsync(string canary)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var hits = await db.Database.SqlQueryRaw<int>(factory.ProviderName == "Postgres"
                ? "SELECT COUNT(*)::int AS \"Value\" FROM \"DiaryEntries\" d WHERE d::text ILIKE {0} OR encode(d.\"Envelope\", 'escape') ILIKE {0} OR encode(d.\"Envelope\", 'escape') ILIKE {1}"
                : "SELECT COUNT(*) AS Value FROM DiaryEntries WHERE CAST(Envelope AS TEXT) LIKE {0} OR CAST(Envelope AS TEXT) LIKE {1}",
                $"%{canary}%", "%\"kind\"%")
            .SingleAsync();
        Assert.Equal(0, hits);
        if (factory is SqlitePortalFactory sqlite)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(sqlite.DatabaseFile) ?? ".", "portal.db*"))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory);
                Assert.True(memory.ToArray().AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary)) < 0, $"{Path.GetFileName(file)} holds the diary text in plain text.");
            }
        }
    }
}
