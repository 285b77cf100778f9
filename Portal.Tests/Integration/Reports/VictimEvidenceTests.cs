using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Reports;

public sealed class OneFilePerCaseFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Evidence:MaxFilesPerCase", "1")];
}

/// <summary>
/// Evidence on the victim's side (issue 15, defect 7): a message's text pasted without its source
/// is kept (as text), anything refused stays in the box, and the list reads in plain words first
/// with the SHA-256 fingerprint one step away.
/// </summary>
public sealed class VictimEvidenceTests(OneFilePerCaseFactory factory) : IClassFixture<OneFilePerCaseFactory>
{
    private const string Body = "Hello. I have your therapy notes. Pay 0.1 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq within 48 hours.";

    [Fact]
    public async Task Paste_OfOnlyTheMessagesText_IsKeptAsText_AndTheListSpeaksPlainly()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var page = await victim.Client.GetPageAsync("/status/evidence");

        using var pasted = await victim.Client.SubmitAsync(page, "/status/evidence/paste", new Dictionary<string, string?> { ["source"] = Body });

        Assert.Equal(HttpStatusCode.Redirect, pasted.StatusCode);
        var file = await factory.QueryAsync(db => db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.CaseId == victim.Case.Id));
        Assert.Equal(EvidenceKind.Text, file.Kind);
        var list = await victim.Client.GetPageAsync("/status/evidence");
        var card = list.QuerySelector("[data-testid=evidence-file]");
        Assert.Equal("pasted-text.txt", card?.QuerySelector(".file-name")?.TextContent);
        Assert.Contains("Text", card?.QuerySelector(".meta")?.TextContent, StringComparison.Ordinal);
        Assert.Null(card?.QuerySelector("details[open]"));
        Assert.NotNull(card?.QuerySelector("details [data-testid=evidence-sha256]"));
        Assert.Contains("Technical fingerprint", card?.QuerySelector("summary")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", card?.TextContent, StringComparison.Ordinal);
        Assert.Null(list.QuerySelector("table"));
    }

    [Fact]
    public async Task Paste_ThatIsRefused_StaysInTheBox()
    {
        var victim = await VictimSteps.FileAsync(factory);
        var page = await victim.Client.GetPageAsync("/status/evidence");
        using (var first = await victim.Client.SubmitAsync(page, "/status/evidence/paste", new Dictionary<string, string?> { ["source"] = "The first message I kept." }))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        using var refused = await victim.Client.SubmitAsync(await victim.Client.GetPageAsync("/status/evidence"), "/status/evidence/paste", new Dictionary<string, string?> { ["source"] = Body });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var again = await HtmlForms.ParseAsync(refused);
        Assert.Equal(Body, again.QuerySelector("#source")?.TextContent);
    }
}
