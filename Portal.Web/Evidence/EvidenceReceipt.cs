using System.Globalization;
using System.Text;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Reports;

namespace Portal.Web.Evidence;

/// <summary>The downloadable list of a case's evidence: what arrived, when, and its SHA-256, to check later with any tool.</summary>
public static class EvidenceReceipt
{
    /// <summary>Times are the victim's (<paramref name="time"/>) with their offset from UTC: local to read, exact to check.</summary>
    public static string Render(string reference, IReadOnlyList<EvidenceSummary> files, IStringLocalizer localizer, VictimTime time)
    {
        var text = new StringBuilder();
        text.AppendLine(localizer["Evidence.Receipt.Title"]);
        text.AppendLine(CultureInfo.InvariantCulture, $"{localizer["Receipt.Reference"]}: {reference}");
        text.AppendLine();
        if (files.Count == 0)
        {
            text.AppendLine(localizer["Evidence.None"]);
        }

        foreach (var file in files)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{localizer["Evidence.Name"]}: {file.FileName}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{localizer["Evidence.Size"]}: {file.Size} B");
            text.AppendLine(CultureInfo.InvariantCulture, $"SHA-256: {file.Sha256}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{localizer["Evidence.ReceivedAt"]}: {time.Local(file.ReceivedAt):yyyy-MM-dd HH:mm:ss zzz}");
            text.AppendLine();
        }

        text.AppendLine(localizer["Evidence.Receipt.HowToCheck"]);
        return text.ToString();
    }
}
