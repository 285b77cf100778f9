using System.Globalization;
using System.Text;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Portal.Core.Data;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.CaseFile;

/// <summary>The language the case file is written in: a culture for dates and numbers, and the UI text by resource key.</summary>
public sealed record CaseFileLanguage(CultureInfo Culture, Func<string, string> Text);

/// <summary>One file as the case file lists it: its entry in the ZIP, the name the victim gave it, when it arrived, its size and SHA-256.</summary>
public sealed record CaseFileListedFile(string Entry, string OriginalName, DateTime ReceivedAt, long Size, string Sha256, bool? Shared = null);

/// <summary>A partner organisation the case was passed to.</summary>
public sealed record CaseFilePartner(string Name, PartnerType Type, DateTime AssignedAt);

/// <summary>Everything the printable case file shows, gathered and opened before it is drawn.</summary>
public sealed record CaseFileContent(
    string Reference,
    DateTime GeneratedAt,
    DateTime ReportedAt,
    string Narrative,
    DateOnly? EmailReceivedOn,
    string? SenderAddress,
    decimal? AmountDemanded,
    string? Currency,
    string? PaymentAddress,
    string? BreachOrganisation,
    YesNoUnsure Paid,
    YesNoUnsure DataPublished,
    bool ConsentPolice,
    string? PoliceReportNumber,
    IReadOnlyList<CaseFilePartner> Partners,
    IReadOnlyList<CaseFileListedFile> Evidence,
    IReadOnlyList<DiaryEntryView> Diary,
    IReadOnlyList<CaseFileListedFile> Documents);

/// <summary>
/// Draws the case file as an A4 PDF with PDFsharp: the report, the police report number, the
/// partners, the evidence list with SHA-256 and times received, the diary (breaking across pages
/// as long as it runs) and the documents, in the victim's language, with fonts from
/// <see cref="CaseFileFonts"/> embedded (subset, with a Unicode map, so text can be copied and
/// searched, e.g. by pdftotext).
/// </summary>
public sealed class CaseFilePdf(CaseFileFonts fonts, VictimTime time)
{
    public byte[] Render(CaseFileContent content, CaseFileLanguage language)
    {
        using var layout = new PdfLayout(fonts, language, content.Reference);
        string T(string key) => language.Text(key);
        var culture = language.Culture;

        layout.Document.Info.Title = $"{T("CaseFile.Pdf.Title")} {content.Reference}";
        layout.Document.Info.Creator = "Portal";
        layout.Title($"{T("CaseFile.Pdf.Title")} {content.Reference}");
        layout.Paragraph(T("CaseFile.Pdf.Intro"));
        layout.Field(T("Receipt.Reference"), content.Reference);
        layout.Field(T("CaseFile.Pdf.GeneratedAt"), Instant(content.GeneratedAt));

        layout.Heading(T("CaseFile.Pdf.Reported"));
        layout.Field(T("CaseFile.Pdf.ReportedAt"), Instant(content.ReportedAt));
        layout.Field(T("CaseFile.Pdf.Narrative"), content.Narrative);
        if (content.EmailReceivedOn is { } receivedOn)
        {
            layout.Field(T("CaseFile.Pdf.EmailReceivedOn"), Date(receivedOn, culture));
        }

        layout.OptionalField(T("CaseFile.Pdf.Sender"), content.SenderAddress);
        if (content.AmountDemanded is { } amount)
        {
            layout.Field(T("CaseFile.Pdf.AmountDemanded"), $"{amount.ToString("0.########", culture)} {content.Currency}".Trim());
        }

        layout.OptionalField(T("CaseFile.Pdf.PaymentAddress"), content.PaymentAddress);
        layout.OptionalField(T("CaseFile.Pdf.BreachOrganisation"), content.BreachOrganisation);
        layout.Field(T("CaseFile.Pdf.Paid"), T("Answer." + content.Paid));
        layout.Field(T("CaseFile.Pdf.DataPublished"), T("Answer." + content.DataPublished));
        layout.Field(T("CaseFile.Pdf.ConsentPolice"), content.ConsentPolice ? T("Common.Yes") : T("Common.No"));

        layout.Heading(T("CaseFile.Pdf.Police"));
        layout.Field(T("Status.PoliceReportNumber"), content.PoliceReportNumber ?? T("CaseFile.Pdf.NoReportNumber"));

        layout.Heading(T("CaseFile.Pdf.Partners"));
        if (content.Partners.Count == 0)
        {
            layout.Paragraph(T("CaseFile.Pdf.NoPartners"));
        }

        foreach (var partner in content.Partners)
        {
            layout.Field(partner.Name, $"{T("PartnerType." + partner.Type)} · {T("CaseFile.Pdf.PassedOn")} {Instant(partner.AssignedAt)}");
        }

        layout.Heading(T("CaseFile.Pdf.Evidence"));
        layout.Paragraph(T("CaseFile.Pdf.EvidenceIntro"));
        if (content.Evidence.Count == 0)
        {
            layout.Paragraph(T("Evidence.None"));
        }

        foreach (var file in content.Evidence)
        {
            ListedFile(layout, file, language);
        }

        layout.Heading(T("CaseFile.Pdf.Diary"));
        if (content.Diary.Count == 0)
        {
            layout.Paragraph(T("Diary.None"));
        }

        foreach (var entry in content.Diary)
        {
            var line = new StringBuilder(Date(entry.OccurredOn, culture)).Append(" · ").Append(T("Diary.Kind." + entry.Kind));
            if (entry.Amount is { } euros)
            {
                line.Append(" · ").Append(euros.ToString("N2", culture)).Append(" €");
            }

            if (entry.Shared)
            {
                line.Append(" · ").Append(T("CaseFile.Pdf.Shared"));
            }

            layout.Entry(line.ToString(), entry.Text);
        }

        layout.Heading(T("CaseFile.Pdf.Documents"));
        if (content.Documents.Count == 0)
        {
            layout.Paragraph(T("Documents.None"));
        }

        foreach (var file in content.Documents)
        {
            ListedFile(layout, file, language);
        }

        layout.Heading(T("CaseFile.Pdf.HowToCheck"));
        layout.Paragraph(T("CaseFile.Pdf.HowToCheckText"));
        layout.Code("sha256sum -c SHA256SUMS");
        return layout.Finish();
    }

    private void ListedFile(PdfLayout layout, CaseFileListedFile file, CaseFileLanguage language)
    {
        string T(string key) => language.Text(key);
        var meta = $"{Instant(file.ReceivedAt)} · {file.Size.ToString("N0", language.Culture)} B";
        if (file.Shared is { } shared)
        {
            meta += " · " + (shared ? T("CaseFile.Pdf.Shared") : T("CaseFile.Pdf.NotShared"));
        }

        layout.FileEntry(file.OriginalName, file.Entry, meta, file.Sha256);
    }

    /// <summary>The victim's local time, as the documents page shows it, with its offset: easy to read, exact to check.</summary>
    private string Instant(DateTime utc) => time.Local(utc).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    private static string Date(DateOnly date, CultureInfo culture) =>
        date.ToString("d", culture);
}

/// <summary>A top-to-bottom writer of wrapped text on A4 pages: a new page whenever the next line would pass the bottom margin.</summary>
internal sealed class PdfLayout : IDisposable
{
    private const double Margin = 56;
    private const double FooterHeight = 24;

    private readonly CaseFileLanguage language;
    private readonly string reference;
    private readonly XFont body;
    private readonly XFont bold;
    private readonly XFont heading;
    private readonly XFont title;
    private readonly XFont small;
    private XGraphics? graphics;
    private PdfPage? page;
    private double y;

    public PdfLayout(CaseFileFonts fonts, CaseFileLanguage language, string reference)
    {
        this.language = language;
        this.reference = reference;
        body = fonts.Regular(10);
        bold = fonts.Bold(10);
        heading = fonts.Bold(13);
        title = fonts.Bold(18);
        small = fonts.Regular(8.5);
        Document = new PdfDocument();
        Document.Options.CompressContentStreams = true;
    }

    public PdfDocument Document { get; }

    private double Width => (page?.Width.Point ?? 595) - (2 * Margin);

    private double Bottom => (page?.Height.Point ?? 842) - Margin - FooterHeight;

    public void Title(string text)
    {
        Lines(text, title, 0, 24);
        y += 8;
    }

    public void Heading(string text)
    {
        // A heading never sits alone at the foot of a page.
        EnsureRoom(20 + (3 * 14));
        y += 12;
        Lines(text, heading, 0, 18);
        y += 4;
    }

    public void Paragraph(string text)
    {
        Lines(text, body, 0, 14);
        y += 4;
    }

    public void Field(string label, string value)
    {
        EnsureRoom(2 * 14);
        Lines(label, bold, 0, 14);
        Lines(value, body, 12, 14);
        y += 3;
    }

    public void OptionalField(string label, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            Field(label, value);
        }
    }

    public void Entry(string headline, string text)
    {
        EnsureRoom(3 * 14);
        Lines(headline, bold, 0, 14);
        Lines(text, body, 12, 14);
        y += 6;
    }

    /// <summary>A listed file: the victim's name for it, its name in the ZIP, when it came and how big, and the SHA-256 on a line of its own.</summary>
    public void FileEntry(string name, string entry, string meta, string sha256)
    {
        EnsureRoom(4 * 14);
        Lines(name, bold, 0, 14);
        Lines(entry, body, 12, 14);
        Lines(meta, body, 12, 14);
        Lines("SHA-256 " + sha256, small, 12, 12);
        y += 6;
    }

    public void Code(string text) => Lines(text, bold, 12, 14);

    /// <summary>Numbers the pages ("reference · page n / m") and returns the document's bytes.</summary>
    public byte[] Finish()
    {
        graphics?.Dispose();
        graphics = null;
        var count = Document.PageCount;
        for (var i = 0; i < count; i++)
        {
            using var footer = XGraphics.FromPdfPage(Document.Pages[i], XGraphicsPdfPageOptions.Append);
            var text = string.Format(language.Culture, language.Text("CaseFile.Pdf.Page"), reference, i + 1, count);
            footer.DrawString(text, small, XBrushes.Gray, new XPoint(Margin, Document.Pages[i].Height.Point - Margin + 4));
        }

        using var output = new MemoryStream();
        Document.Save(output, closeStream: false);
        return output.ToArray();
    }

    public void Dispose()
    {
        graphics?.Dispose();
        Document.Dispose();
    }

    private void EnsureRoom(double height)
    {
        if (graphics is null || y + height > Bottom)
        {
            NewPage();
        }
    }

    private void NewPage()
    {
        graphics?.Dispose();
        page = Document.AddPage();
        page.Size = PageSize.A4;
        graphics = XGraphics.FromPdfPage(page);
        y = Margin;
    }

    /// <summary>Wraps <paramref name="text"/> at word boundaries (a word too long for a line is broken where it must) and draws it line by line.</summary>
    private void Lines(string text, XFont font, double indent, double lineHeight)
    {
        foreach (var paragraph in Printable(text).Split('\n'))
        {
            foreach (var line in Wrap(paragraph, font, Width - indent))
            {
                EnsureRoom(lineHeight);
                graphics!.DrawString(line, font, XBrushes.Black, new XPoint(Margin + indent, y + font.Size), XStringFormats.Default);
                y += lineHeight;
            }
        }
    }

    private IEnumerable<string> Wrap(string paragraph, XFont font, double width)
    {
        if (paragraph.Length == 0)
        {
            yield return "";
            yield break;
        }

        var line = new StringBuilder();
        foreach (var word in paragraph.Split(' '))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (Measure(candidate, font) <= width)
            {
                line.Clear().Append(candidate);
                continue;
            }

            if (line.Length > 0)
            {
                yield return line.ToString();
                line.Clear();
            }

            // A word wider than the line (a long address or link) is cut into pieces that fit.
            var rest = word;
            while (Measure(rest, font) > width)
            {
                var fits = 1;
                while (fits < rest.Length && Measure(rest[..(fits + 1)], font) <= width)
                {
                    fits++;
                }

                yield return rest[..fits];
                rest = rest[fits..];
            }

            line.Append(rest);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private double Measure(string text, XFont font)
    {
        EnsureRoom(0);
        return graphics!.MeasureString(text, font).Width;
    }

    /// <summary>Line breaks as '\n', tabs as spaces, other control and direction-override characters dropped.</summary>
    private static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'))
        {
            if (c == '\n')
            {
                builder.Append(c);
            }
            else if (c == '\t')
            {
                builder.Append(' ');
            }
            else if (!char.IsControl(c) && !DisplayText.IsDirectionControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
