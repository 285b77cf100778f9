using Bunit;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Web.Components;

namespace Portal.Tests.Unit.Components;

public sealed class EvidenceListTests : ComponentTestContext
{
    private static readonly EvidenceSummary Email = new(
        Guid.Parse("7b4f6c1e-0000-4000-8000-000000000001"), "threat <script>alert(1)</script>.eml", EvidenceKind.Email, "message/rfc822",
        2_560, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", new DateTime(2026, 11, 20, 9, 5, 0, DateTimeKind.Utc));

    private static readonly EvidenceSummary Screenshot = new(
        Guid.Parse("7b4f6c1e-0000-4000-8000-000000000002"), "screenshot.png", EvidenceKind.Image, "image/png",
        3 * 1024 * 1024 + 300 * 1024, "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", new DateTime(2026, 11, 21, 17, 45, 0, DateTimeKind.Utc));

    [Fact]
    public void NoFiles_SaysSo_WithoutAnEmptyTable()
    {
        var list = RenderIn<EvidenceList>("en", p => p.Add(c => c.Files, []));

        Assert.Equal("No files yet.", list.Find("[data-testid=evidence-none]").TextContent);
        Assert.Empty(list.FindAll("table"));
    }

    [Fact]
    public void Files_OneRowEach_WithEscapedNameSizeHashAndTimeInUtc()
    {
        var list = RenderIn<EvidenceList>("en", p => p.Add(c => c.Files, [Email, Screenshot]));

        var rows = list.FindAll("[data-testid=evidence-file]");
        Assert.Equal(2, rows.Count);
        Assert.Equal($"file-{Email.Id}", rows[0].Id);
        Assert.Equal(Email.FileName, rows[0].QuerySelector("th.file-name")?.TextContent);
        Assert.Empty(list.FindAll("script"));
        Assert.Equal("2.5 KB", rows[0].QuerySelector("[data-testid=evidence-size]")?.TextContent);
        Assert.Equal("3.3 MB", rows[1].QuerySelector("[data-testid=evidence-size]")?.TextContent);
        Assert.Equal(Email.Sha256, rows[0].QuerySelector("[data-testid=evidence-sha256]")?.TextContent);
        var time = rows[1].QuerySelector("time");
        Assert.Equal("2026-11-21 17:45 UTC", time?.TextContent);
        Assert.StartsWith("2026-11-21T17:45:00", time?.GetAttribute("datetime"), StringComparison.Ordinal);
    }

    [Fact]
    public void Table_IsAFocusableLabelledRegion_WithColumnHeaders()
    {
        var list = RenderIn<EvidenceList>("en", p => p.Add(c => c.Files, [Email]));

        var region = list.Find("div.table-scroll");
        Assert.Equal("region", region.GetAttribute("role"));
        Assert.Equal("0", region.GetAttribute("tabindex"));
        Assert.Equal("evidence-caption", region.GetAttribute("aria-labelledby"));
        Assert.Equal("Files received", list.Find("caption#evidence-caption").TextContent);
        Assert.Equal(["File", "Size", "SHA-256", "Received"], list.FindAll("thead th[scope=col]").Select(h => h.TextContent));
    }

    [Fact]
    public void Highlight_MarksOnlyTheNamedFile()
    {
        var list = RenderIn<EvidenceList>("en", p => p.Add(c => c.Files, [Email, Screenshot]).Add(c => c.Highlight, Screenshot.Id));

        var highlighted = Assert.Single(list.FindAll("tr.highlight"));
        Assert.Equal($"file-{Screenshot.Id}", highlighted.Id);
    }

    [Fact]
    public void Finnish_TranslatesHeadersAndUsesADecimalComma()
    {
        var list = RenderIn<EvidenceList>("fi", p => p.Add(c => c.Files, [Email]));

        Assert.Equal("Vastaanotetut tiedostot", list.Find("caption").TextContent);
        Assert.Equal(["Tiedosto", "Koko", "SHA-256", "Vastaanotettu"], list.FindAll("thead th").Select(h => h.TextContent));
        Assert.Equal("2,5 KB", list.Find("[data-testid=evidence-size]").TextContent);
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1 KB")]
    [InlineData(25L * 1024 * 1024, "25 MB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3 GB")]
    public void FormatSize_UsesTheLargestUnitBelowTheValue(long bytes, string expected) =>
        Assert.Equal(expected, EvidenceList.FormatSize(bytes));
}
