using Bunit;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Web.Components;

namespace Portal.Tests.Unit.Components;

public sealed class EvidenceCardsTests : ComponentTestContext
{
    private static readonly TimeZoneInfo Helsinki = TimeZoneInfo.FindSystemTimeZoneById("Europe/Helsinki");

    private static readonly EvidenceSummary Email = new(
        Guid.Parse("5c1d2e3f-0000-4000-8000-000000000001"), "threat <script>alert(1)</script>.eml", EvidenceKind.Email, "message/rfc822",
        2_560, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", new DateTime(2026, 11, 20, 9, 5, 0, DateTimeKind.Utc));

    // Summer time in Helsinki (UTC+3), and late enough in UTC that the local date is the next day.
    private static readonly EvidenceSummary Screenshot = new(
        Guid.Parse("5c1d2e3f-0000-4000-8000-000000000002"), "screenshot.png", EvidenceKind.Image, "image/png",
        3 * 1024 * 1024 + 300 * 1024, "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", new DateTime(2026, 7, 1, 22, 30, 0, DateTimeKind.Utc));

    [Theory]
    [InlineData("en", "No files yet.")]
    [InlineData("fi", "Ei vielä tiedostoja.")]
    [InlineData("sv", "Inga filer ännu.")]
    public void NoFiles_SaysSo_InTheVictimsLanguage_WithoutAnEmptyList(string culture, string expected)
    {
        var cards = RenderIn<EvidenceCards>(culture, p => p.Add(c => c.Files, []));

        Assert.Equal(expected, cards.Find("[data-testid=evidence-none]").TextContent);
        Assert.Empty(cards.FindAll("ul, li"));
    }

    [Fact]
    public void Files_OneCardEach_WithTheNameEscaped_TheSizeAndTheFingerprintOneStepAway()
    {
        var cards = RenderIn<EvidenceCards>("en", p => p.Add(c => c.Files, [Email, Screenshot]));

        Assert.Equal("Files received", cards.Find("ul.evidence-cards").GetAttribute("aria-label"));
        var items = cards.FindAll("[data-testid=evidence-file]");
        Assert.Equal([$"file-{Email.Id}", $"file-{Screenshot.Id}"], items.Select(i => i.Id));
        Assert.Equal(Email.FileName, items[0].QuerySelector("p.file-name")?.TextContent);
        Assert.Empty(cards.FindAll("script"));
        Assert.Equal("2.5 KB", items[0].QuerySelector("[data-testid=evidence-size]")?.TextContent);
        Assert.Equal("3.3 MB", items[1].QuerySelector("[data-testid=evidence-size]")?.TextContent);
        Assert.StartsWith("Email · ", items[0].QuerySelector("p.meta")?.TextContent.Trim(), StringComparison.Ordinal);
        Assert.StartsWith("Picture · ", items[1].QuerySelector("p.meta")?.TextContent.Trim(), StringComparison.Ordinal);

        // The hash sits in a closed details element under a plain-words summary.
        var details = items[0].QuerySelector("details");
        Assert.NotNull(details);
        Assert.False(details.HasAttribute("open"));
        Assert.Equal("Technical fingerprint (for the police)", details.QuerySelector("summary")?.TextContent);
        Assert.Equal(Email.Sha256, details.QuerySelector("[data-testid=evidence-sha256]")?.TextContent);
        Assert.Equal("Kept encrypted; any change to it would show.", items[0].QuerySelector("p.hint")?.TextContent);
    }

    [Fact]
    public void Highlight_MarksOnlyTheNamedFile()
    {
        var cards = RenderIn<EvidenceCards>("en", p => p.Add(c => c.Files, [Email, Screenshot]).Add(c => c.Highlight, Screenshot.Id));

        var highlighted = Assert.Single(cards.FindAll("li.highlight"));
        Assert.Equal($"file-{Screenshot.Id}", highlighted.Id);
        Assert.Equal(2, cards.FindAll("li.evidence-card").Count);
    }

    [Fact]
    public void NoHighlight_MarksNoFile()
    {
        var cards = RenderIn<EvidenceCards>("en", p => p.Add(c => c.Files, [Email, Screenshot]).Add(c => c.Highlight, Guid.Parse("5c1d2e3f-0000-4000-8000-0000000000ff")));

        Assert.Empty(cards.FindAll(".highlight"));
    }

    [Fact]
    public void Times_WithoutAZone_AreUtc()
    {
        var cards = RenderIn<EvidenceCards>("sv", p => p.Add(c => c.Files, [Email]));

        var time = cards.Find("time");
        Assert.Equal("2026-11-20T09:05:00", time.GetAttribute("datetime"));
        Assert.Equal("2026-11-20 09:05", time.TextContent);
    }

    [Fact]
    public void Times_AreInTheVictimsZone_WithSummerTime_AndTheLocalDate()
    {
        var cards = RenderIn<EvidenceCards>("sv", p => p.Add(c => c.Files, [Email, Screenshot]).Add(c => c.TimeZone, Helsinki));

        var times = cards.FindAll("time");
        Assert.Equal(["2026-11-20T11:05:00", "2026-07-02T01:30:00"], times.Select(t => t.GetAttribute("datetime")));
        Assert.Equal(["2026-11-20 11:05", "2026-07-02 01:30"], times.Select(t => t.TextContent));
    }

    [Theory]
    [InlineData("en", "Files received", "Email", "arrived", "20 Nov 2026 11:05", "2.5 KB", "Technical fingerprint (for the police)")]
    [InlineData("fi", "Vastaanotetut tiedostot", "Sähköposti", "saapui", "20.11.2026 11.05", "2,5 KB", "Tekninen sormenjälki (poliisia varten)")]
    [InlineData("sv", "Mottagna filer", "E-post", "kom", "2026-11-20 11:05", "2,5 KB", "Tekniskt fingeravtryck (för polisen)")]
    public void Languages_TranslateEveryWord_AndWriteTimesAndSizesTheirWay(string culture, string caption, string kind, string arrived, string time, string size, string fingerprint)
    {
        var cards = RenderIn<EvidenceCards>(culture, p => p.Add(c => c.Files, [Email]).Add(c => c.TimeZone, Helsinki));

        Assert.Equal(caption, cards.Find("ul").GetAttribute("aria-label"));
        var meta = string.Join(' ', cards.Find("p.meta").TextContent.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"{kind} · {size} · {arrived} {time}", meta.Replace('\u202f', ' '));
        Assert.Equal(fingerprint, cards.Find("summary").TextContent);
        Assert.Equal(Email.Sha256, cards.Find("[data-testid=evidence-sha256]").TextContent);
    }
}
