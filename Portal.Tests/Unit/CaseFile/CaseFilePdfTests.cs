using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.CaseFile;
using Portal.Core.Features.Reports;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.CaseFile;

/// <summary>The printable case file as PDFsharp draws it with the system's DejaVu fonts, read back by Debian's pdftotext and pdfinfo.</summary>
public sealed class CaseFilePdfTests
{
    private static readonly VictimTime Helsinki = new(Options.Create(new ReportOptions()));

    private static readonly CaseFileLanguage Keys = new(CultureInfo.InvariantCulture, key => key == "CaseFile.Pdf.Page" ? "{0} page {1}/{2}" : key);

    [Fact]
    public async Task Render_WrapsLongTextAndWords_BreaksPages_AndKeepsFinnishAndSwedishLetters()
    {
        var longWord = string.Concat(Enumerable.Repeat("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 4));
        var diary = Enumerable.Range(1, 60)
            .Select(i => new DiaryEntryView(Guid.NewGuid(), new DateOnly(2026, 10, 1).AddDays(i), DiaryEntryKind.Call, $"Päivä {i}: soitin Kelaan ja kävin lääkärissä. Åsa hjälpte mig med blanketten. " + string.Concat(Enumerable.Repeat("Jatkuu. ", 40)) + $"LOPPU-{i}", i % 3 == 0 ? 12.5m : null, i % 2 == 0))
            .ToList();
        var content = Content(diary, narrative: $"Sain kiristysviestin.\nOsoite: {longWord}");

        var pdf = new CaseFilePdf(SystemFonts(), Helsinki).Render(content, Keys);

        var (pages, text) = await ReadAsync(pdf);
        Assert.True(pages >= 8, $"{pages} pages for 60 long entries");
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5), StringComparison.Ordinal);
        Assert.Contains("soitin Kelaan ja kävin lääkärissä. Åsa hjälpte mig", text, StringComparison.Ordinal);
        Assert.All(Enumerable.Range(1, 60), i => Assert.Contains($"LOPPU-{i}", text, StringComparison.Ordinal));
        Assert.Contains($"VS-TEST-0001 page {pages}/{pages}", text, StringComparison.Ordinal);

        // The long address is cut across lines but nothing of it is lost.
        Assert.Equal(longWord, Regex.Replace(text[text.IndexOf("Osoite:", StringComparison.Ordinal)..], @"\s", "")["Osoite:".Length..][..longWord.Length]);
    }

    [Fact]
    public async Task Render_KeepsEachSha256OnOneLine_AndDropsControlAndDirectionCharacters()
    {
        var hash = new string('a', 32) + new string('f', 32);
        var content = Content([new DiaryEntryView(Guid.NewGuid(), new DateOnly(2026, 11, 20), DiaryEntryKind.Note, "Bell\u0007 and \u202Eoverride\u202C 🙂 end", null, false)]) with
        {
            Evidence = [new CaseFileListedFile("evidence/01-mail.eml", "mail.eml", new DateTime(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc), 1234, hash)],
        };

        var pdf = new CaseFilePdf(SystemFonts(), Helsinki).Render(content, Keys);

        var (_, text) = await ReadAsync(pdf);
        Assert.Contains("SHA-256 " + hash, text, StringComparison.Ordinal);
        // 08:00 UTC in November is 10:00 in Helsinki, given with its offset.
        Assert.Contains("2026-11-20 10:00 +02:00", text, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", text, StringComparison.Ordinal);
        Assert.Contains("Bell and override", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Fonts_ThatAreNotInstalled_AreReportedUnavailable()
    {
        var fonts = new CaseFileFonts(Options.Create(new CaseFileOptions { RegularFont = "/nonexistent/Regular.ttf" }));

        Assert.False(fonts.Available);
        Assert.True(SystemFonts().Available, "Debian's fonts-dejavu-core is not installed (infra/test installs it)");
    }

    private static CaseFileFonts SystemFonts() => new(Options.Create(new CaseFileOptions()));

    private static CaseFileContent Content(IReadOnlyList<DiaryEntryView> diary, string narrative = "An email demanded money.") => new(
        "VS-TEST-0001", new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc), narrative,
        new DateOnly(2026, 11, 19), "ransom@extortion.example", 0.5m, "BTC", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "Vastaamo",
        YesNoUnsure.No, YesNoUnsure.Unsure, true, null, [], [], diary, []);

    private static async Task<(int Pages, string Text)> ReadAsync(byte[] pdf)
    {
        var directory = TestDatabases.NewTempDirectory();
        var path = Path.Combine(directory, "case-file.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        var info = await BundleDownloads.RunAsync("/usr/bin/pdfinfo", directory, path);
        Assert.True(info.ExitCode == 0, info.Errors);
        var pages = int.Parse(Regex.Match(info.Output, @"^Pages:\s+(\d+)", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        return (pages, await CaseFileSteps.PdfTextAsync(path));
    }
}
