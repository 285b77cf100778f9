using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Reports;
using Portal.Core.Features.Triage;

namespace Portal.Core.Features.Bundles;

/// <summary>
/// The bundle's documents made from the database: the case summary (JSON and a printable,
/// self-contained HTML page without scripts), the custody log and the manifest. The summary
/// carries what police need (the report, the evidence, the attacker's indicators) and leaves out
/// what they do not: the victim's risk answers, counselling consent and contact details. The
/// JSON keeps stored keys for tools; the HTML page is for people, in English.
/// </summary>
public sealed class BundleDocuments(CaseDetails found, ReportOptions reports, IReadOnlyDictionary<Guid, string> entryNames, DateTime generatedAt, string generatorVersion)
{
    public static readonly JsonWriterOptions JsonOptions = new()
    {
        Indented = true,
        // Files read by people and tools, never embedded in a page: keep ä, ö, å, + and < as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Utc(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public byte[] Manifest(IReadOnlyList<BundleEntry> entries, string publicKeyFingerprint) => Json(w =>
    {
        w.WriteString("format", BuildCaseBundleHandler.Format);
        w.WriteString("caseReference", found.Reference);
        w.WriteStartObject("generator");
        w.WriteString("name", "Portal");
        w.WriteString("version", generatorVersion);
        w.WriteEndObject();
        w.WriteString("generatedAt", Utc(generatedAt));
        w.WriteString("caseCreatedAt", Utc(found.CreatedAt));
        w.WriteStartObject("signature");
        w.WriteString("file", BuildCaseBundleHandler.SignatureName);
        w.WriteString("algorithm", "ECDSA P-256 with SHA-256, DER (openssl dgst -sha256 -verify)");
        w.WriteString("publicKey", BuildCaseBundleHandler.PublicKeyName);
        w.WriteString("publicKeySha256", publicKeyFingerprint);
        w.WriteEndObject();
        w.WriteStartArray("files");
        foreach (var entry in entries)
        {
            w.WriteStartObject();
            w.WriteString("name", entry.Name);
            if (entry.OriginalName is not null)
            {
                w.WriteString("originalName", entry.OriginalName);
            }

            w.WriteString("mediaType", entry.MediaType);
            w.WriteNumber("size", entry.Size);
            w.WriteString("sha256", entry.Sha256);
            if (entry.ReceivedAt is { } received)
            {
                w.WriteString("receivedAt", Utc(received));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public byte[] CaseJson() => Json(w =>
    {
        w.WriteString("caseReference", found.Reference);
        w.WriteString("status", found.Status.ToString());
        w.WriteString("createdAt", Utc(found.CreatedAt));
        w.WriteString("language", found.Language);
        w.WriteString("narrative", found.Narrative);
        WriteOptional(w, "emailReceivedOn", found.EmailReceivedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        WriteOptional(w, "senderAddress", found.SenderAddress);
        if (found.AmountDemanded is { } amount)
        {
            w.WriteNumber("amountDemanded", amount);
        }

        WriteOptional(w, "currency", found.Currency);
        WriteOptional(w, "paymentAddress", found.PaymentAddress);
        w.WriteString("paid", found.Paid.ToString());
        w.WriteString("dataPublished", found.DataPublished.ToString());
        WriteOptional(w, "breachOrganisation", found.BreachOrganisation);
        w.WriteBoolean("victimUnder18", found.IsUnder18);
        w.WriteBoolean("policeConsent", found.ConsentPolice);
        w.WriteStartArray("evidence");
        foreach (var item in found.Evidence)
        {
            var f = item.File;
            w.WriteStartObject();
            w.WriteString("entry", entryNames[f.Id]);
            w.WriteString("originalName", f.FileName);
            w.WriteString("kind", f.Kind.ToString());
            w.WriteString("mediaType", f.MediaType);
            w.WriteNumber("size", f.Size);
            w.WriteString("sha256", f.Sha256);
            w.WriteString("receivedAt", Utc(f.ReceivedAt));
            if (item.Email is { } email)
            {
                w.WritePropertyName("email");
                JsonSerializer.Serialize(w, email, EmailSummary.Json);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("indicators");
        foreach (var (kind, value, detail) in found.Indicators)
        {
            w.WriteStartObject();
            w.WriteString("kind", kind.ToString());
            w.WriteString("value", value);
            WriteOptional(w, "detail", detail);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public byte[] CustodyJson(IReadOnlyList<CustodyEvent> events) => Json(w =>
    {
        w.WriteString("caseReference", found.Reference);
        w.WriteString("generatedAt", Utc(generatedAt));
        w.WriteString("source", "The portal's append-only audit trail: every entry that names this case, oldest first. Each mac is the entry's HMAC-SHA-256 link in the trail's hash chain (checked on the portal with verify-audit).");
        w.WriteStartArray("events");
        foreach (var e in events)
        {
            w.WriteStartObject();
            w.WriteNumber("id", e.Id);
            w.WriteString("at", Utc(e.At));
            w.WriteString("action", e.Action);
            w.WriteString("actorKind", e.ActorKind.ToString());
            WriteOptional(w, "actorId", e.ActorId);
            WriteOptional(w, "actorName", e.ActorName);
            WriteOptional(w, "subject", e.Subject);
            WriteOptional(w, "detail", e.Detail);
            w.WriteString("mac", Convert.ToHexStringLower(e.Mac));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>A page that prints well and needs nothing else: one inline style sheet, no scripts, no links out.</summary>
    public byte[] CaseHtml()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
            .Append("<title>Case ").Append(E(found.Reference)).Append("</title>\n<style>\n")
            .Append("body{font-family:Georgia,serif;margin:2em;color:#000;max-width:60em}h1,h2{font-family:Arial,sans-serif}")
            .Append("table{border-collapse:collapse;width:100%;margin-bottom:1em}th,td{border:1px solid #444;padding:.3em .5em;text-align:left;vertical-align:top}")
            .Append("th{background:#eee;width:14em}code{font-family:monospace;word-break:break-all}.narrative{white-space:pre-wrap}")
            .Append("@media print{body{margin:0}h2{page-break-after:avoid}table{page-break-inside:avoid}}\n</style>\n</head>\n<body>\n");
        html.Append("<h1>Case ").Append(E(found.Reference)).Append("</h1>\n");
        html.Append("<p>Evidence bundle generated ").Append(E(Utc(generatedAt))).Append(" by Portal ").Append(E(generatorVersion))
            .Append(". Every file listed here is in the bundle under the entry named, with the SHA-256 shown.</p>\n");

        html.Append("<h2>Report</h2>\n<table>\n");
        Row(html, "Reference", found.Reference);
        Row(html, "Reported", Utc(found.CreatedAt));
        Row(html, "Status", found.Status.ToString());
        Row(html, "Language", found.Language);
        html.Append("<tr><th>What happened</th><td class=\"narrative\">").Append(E(found.Narrative)).Append("</td></tr>\n");
        Row(html, "Email received on", found.EmailReceivedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Row(html, "Sender address", found.SenderAddress);
        Row(html, "Amount demanded", found.AmountDemanded is { } a ? $"{a.ToString("0.########", CultureInfo.InvariantCulture)} {found.Currency}" : null);
        Row(html, "Payment address", found.PaymentAddress, code: true);
        Row(html, "Paid", found.Paid.ToString());
        Row(html, "Data published", found.DataPublished.ToString());
        Row(html, "Breached organisation", reports.BreachOrganisationName(found.BreachOrganisation, "Other or not sure"));
        Row(html, "Victim under 18", found.IsUnder18 ? "Yes" : "No");
        Row(html, "Police consent", found.ConsentPolice ? "Yes" : "No");
        html.Append("</table>\n");

        html.Append("<h2>Evidence</h2>\n");
        if (found.Evidence.Count == 0)
        {
            html.Append("<p>No files.</p>\n");
        }

        foreach (var item in found.Evidence)
        {
            var f = item.File;
            html.Append("<table>\n");
            Row(html, "Entry", entryNames[f.Id], code: true);
            Row(html, "Name given", f.FileName);
            Row(html, "Type", f.MediaType);
            Row(html, "Size (bytes)", f.Size.ToString(CultureInfo.InvariantCulture));
            Row(html, "SHA-256", f.Sha256, code: true);
            Row(html, "Received", Utc(f.ReceivedAt));
            if (item.Email is { } email)
            {
                Row(html, "From", email.From is null ? null : $"{email.From.DisplayName} <{email.From.Address}>");
                Row(html, "Reply-To", string.Join(", ", email.ReplyTo.Select(r => r.Address)));
                Row(html, "Return-Path", email.ReturnPath);
                Row(html, "To", string.Join(", ", email.To.Select(r => r.Address)));
                Row(html, "Subject", email.Subject);
                Row(html, "Date", email.Date?.ToString("u", CultureInfo.InvariantCulture));
                Row(html, "Message-ID", email.MessageId, code: true);
                Row(html, "Originating IP", email.OriginatingIp);
                Row(html, "DKIM domains", string.Join(", ", email.DkimDomains));
                foreach (var hop in email.Received)
                {
                    Row(html, $"Received hop {hop.Index + 1}", hop.Raw, code: true);
                }
            }

            html.Append("</table>\n");
        }

        html.Append("<h2>Indicators</h2>\n<table>\n");
        foreach (var (kind, value, detail) in found.Indicators)
        {
            html.Append("<tr><th>").Append(E(kind.ToString())).Append("</th><td><code>").Append(E(value)).Append("</code>")
                .Append(detail is null ? "" : " " + E(detail)).Append("</td></tr>\n");
        }

        html.Append("</table>\n</body>\n</html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    private static void Row(StringBuilder html, string label, string? value, bool code = false)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        html.Append("<tr><th>").Append(E(label)).Append("</th><td>")
            .Append(code ? "<code>" : "").Append(E(value)).Append(code ? "</code>" : "").Append("</td></tr>\n");
    }

    private static string E(string? value) => Html.Encode(value ?? "");

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    internal static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
