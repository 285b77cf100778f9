using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Portal.Core.Data;
using Portal.Core.Features.Evidence.Email;
using Portal.Core.Features.Triage;

namespace Portal.Core.Features.Bundles;

/// <summary>
/// case.jsonld: the case in the CASE/UCO ontology (https://caseontology.org), with its context
/// inline so that it expands offline. The investigation holds one File per evidence file (file
/// and content-data facets with the SHA-256), an EmailMessage per parsed email (headers, the
/// Received lines, addresses as EmailAddress objects), the payment addresses found as digital
/// addresses, and per file an investigative action (received from the victim) with its
/// provenance record; a last action records this export and the tool that made it.
/// </summary>
public static class CaseUcoGraph
{
    public const string CaseInvestigation = "https://ontology.caseontology.org/case/investigation/";
    public const string UcoObservable = "https://ontology.unifiedcyberontology.org/uco/observable/";

    private static readonly (string Prefix, string Iri)[] Context =
    [
        ("kb", "urn:portal:kb:"),
        ("case-investigation", CaseInvestigation),
        ("uco-action", "https://ontology.unifiedcyberontology.org/uco/action/"),
        ("uco-core", "https://ontology.unifiedcyberontology.org/uco/core/"),
        ("uco-identity", "https://ontology.unifiedcyberontology.org/uco/identity/"),
        ("uco-observable", UcoObservable),
        ("uco-tool", "https://ontology.unifiedcyberontology.org/uco/tool/"),
        ("uco-types", "https://ontology.unifiedcyberontology.org/uco/types/"),
        ("uco-vocabulary", "https://ontology.unifiedcyberontology.org/uco/vocabulary/"),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ];

    public static byte[] Build(CaseDetails found, IReadOnlyDictionary<Guid, string> entryNames, IReadOnlyList<CustodyEvent> custody, DateTime generatedAt, string generatorVersion)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, BundleDocuments.JsonOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("@context");
            foreach (var (prefix, iri) in Context)
            {
                w.WriteString(prefix, iri);
            }

            w.WriteEndObject();
            w.WriteStartArray("@graph");

            var tool = "kb:tool-portal";
            w.WriteStartObject();
            Node(w, tool, "uco-tool:Tool");
            w.WriteString("uco-core:name", "Portal");
            w.WriteString("uco-tool:version", generatorVersion);
            w.WriteString("uco-tool:toolType", "Victim support portal: evidence intake and export");
            w.WriteEndObject();

            var members = new List<string>();
            var addresses = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var item in found.Evidence)
            {
                var f = item.File;
                var fileId = $"kb:file-{f.Id:N}";
                members.Add(fileId);
                w.WriteStartObject();
                Node(w, fileId, "uco-observable:File");
                w.WriteString("uco-core:name", f.FileName);
                w.WriteStartArray("uco-core:hasFacet");
                w.WriteStartObject();
                Node(w, $"kb:file-facet-{f.Id:N}", "uco-observable:FileFacet");
                w.WriteString("uco-observable:fileName", entryNames[f.Id]);
                Typed(w, "uco-observable:sizeInBytes", "xsd:integer", f.Size.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
                w.WriteStartObject();
                Node(w, $"kb:content-data-facet-{f.Id:N}", "uco-observable:ContentDataFacet");
                w.WriteString("uco-observable:mimeType", f.MediaType);
                Typed(w, "uco-observable:sizeInBytes", "xsd:integer", f.Size.ToString(CultureInfo.InvariantCulture));
                w.WriteStartArray("uco-observable:hash");
                w.WriteStartObject();
                Node(w, $"kb:hash-{f.Id:N}", "uco-types:Hash");
                Typed(w, "uco-types:hashMethod", "uco-vocabulary:HashNameVocab", "SHA256");
                Typed(w, "uco-types:hashValue", "xsd:hexBinary", f.Sha256);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();

                if (item.Email is { } email)
                {
                    var emailId = $"kb:email-message-{f.Id:N}";
                    members.Add(emailId);
                    foreach (var address in new[] { email.From }.Concat(email.ReplyTo).Concat(email.To).OfType<EmailAddress>())
                    {
                        addresses.TryAdd(address.Address, address.DisplayName);
                    }

                    WriteEmail(w, emailId, email);
                    w.WriteStartObject();
                    Node(w, $"kb:relationship-{f.Id:N}", "uco-core:Relationship");
                    Reference(w, "uco-core:source", emailId);
                    Reference(w, "uco-core:target", fileId);
                    w.WriteString("uco-core:kindOfRelationship", "Contained_Within");
                    Typed(w, "uco-core:isDirectional", "xsd:boolean", "true");
                    w.WriteEndObject();
                }

                var provenanceId = $"kb:provenance-record-{f.Id:N}";
                members.Add(provenanceId);
                w.WriteStartObject();
                Node(w, provenanceId, "case-investigation:ProvenanceRecord");
                w.WriteString("case-investigation:exhibitNumber", entryNames[f.Id]["evidence/".Length..].Split('-')[0]);
                w.WriteString("uco-core:description", "Given by the victim to the portal, hashed (SHA-256) while it arrived and stored encrypted (AES-256-GCM) until this export, which checked it against that hash.");
                References(w, "uco-core:object", item.Email is null ? [fileId] : [fileId, $"kb:email-message-{f.Id:N}"]);
                w.WriteEndObject();

                w.WriteStartObject();
                Node(w, $"kb:investigative-action-received-{f.Id:N}", "case-investigation:InvestigativeAction");
                w.WriteString("uco-core:name", "Evidence received from the victim");
                Typed(w, "uco-action:startTime", "xsd:dateTime", BundleDocuments.Utc(f.ReceivedAt));
                Typed(w, "uco-action:endTime", "xsd:dateTime", BundleDocuments.Utc(f.ReceivedAt));
                References(w, "uco-action:instrument", [tool]);
                References(w, "uco-action:result", [fileId, provenanceId]);
                w.WriteEndObject();
            }

            foreach (var (address, displayName) in addresses)
            {
                w.WriteStartObject();
                Node(w, EmailAddressId(address), "uco-observable:EmailAddress");
                w.WriteStartArray("uco-core:hasFacet");
                w.WriteStartObject();
                Node(w, EmailAddressId(address) + "-facet", "uco-observable:EmailAddressFacet");
                w.WriteString("uco-observable:addressValue", address);
                if (!string.IsNullOrEmpty(displayName))
                {
                    w.WriteString("uco-observable:displayName", displayName);
                }

                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            var paymentAddresses = found.Indicators.Where(i => i.Kind == IndicatorKind.BitcoinAddress).Select(i => i.Value)
                .Concat(found.PaymentAddress is { Length: > 0 } stated ? [stated] : [])
                .Distinct(StringComparer.Ordinal);
            foreach (var payment in paymentAddresses)
            {
                var id = "kb:digital-address-" + ShortHash(payment);
                members.Add(id);
                w.WriteStartObject();
                Node(w, id, "uco-observable:DigitalAddress");
                w.WriteString("uco-core:description", "Cryptocurrency (Bitcoin) address the extortionist asked to be paid to");
                w.WriteStartArray("uco-core:tag");
                w.WriteStringValue("cryptocurrency-address");
                w.WriteStringValue("bitcoin");
                w.WriteEndArray();
                w.WriteStartArray("uco-core:hasFacet");
                w.WriteStartObject();
                Node(w, id + "-facet", "uco-observable:DigitalAddressFacet");
                w.WriteString("uco-observable:addressValue", payment);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            members.AddRange(addresses.Keys.Select(EmailAddressId));

            var exportId = $"kb:investigative-action-export-{generatedAt.Ticks}";
            w.WriteStartObject();
            Node(w, exportId, "case-investigation:InvestigativeAction");
            w.WriteString("uco-core:name", "Evidence bundle exported");
            w.WriteString("uco-core:description", $"Each file decrypted, checked against its SHA-256 and written to this bundle; the custody log (custody.json) lists the {custody.Count} audit trail entries for the case.");
            Typed(w, "uco-action:startTime", "xsd:dateTime", BundleDocuments.Utc(generatedAt));
            References(w, "uco-action:instrument", [tool]);
            References(w, "uco-action:object", found.Evidence.Select(e => $"kb:file-{e.File.Id:N}").ToList());
            w.WriteEndObject();

            w.WriteStartObject();
            Node(w, $"kb:investigation-{found.Id:N}", "case-investigation:Investigation");
            w.WriteString("uco-core:name", found.Reference);
            w.WriteString("uco-core:description", "Report of extortion by email, filed by the victim with a victim support portal.");
            w.WriteString("case-investigation:focus", "Extortion");
            Typed(w, "uco-core:objectCreatedTime", "xsd:dateTime", BundleDocuments.Utc(found.CreatedAt));
            References(w, "uco-core:object", [.. members, exportId]);
            w.WriteEndObject();

            w.WriteEndArray();
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteEmail(Utf8JsonWriter w, string id, Evidence.EmailSummary email)
    {
        w.WriteStartObject();
        Node(w, id, "uco-observable:EmailMessage");
        w.WriteStartArray("uco-core:hasFacet");
        w.WriteStartObject();
        Node(w, id + "-facet", "uco-observable:EmailMessageFacet");
        if (email.From is not null)
        {
            Reference(w, "uco-observable:from", EmailAddressId(email.From.Address));
        }

        if (email.To.Count > 0)
        {
            References(w, "uco-observable:to", email.To.Select(a => EmailAddressId(a.Address)).ToList());
        }

        if (email.Subject is not null)
        {
            w.WriteString("uco-observable:subject", email.Subject);
        }

        if (email.Date is { } date)
        {
            Typed(w, "uco-observable:sentTime", "xsd:dateTime", date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        if (email.MessageId is not null)
        {
            w.WriteString("uco-observable:messageID", email.MessageId);
        }

        if (email.Received.Count > 0)
        {
            w.WriteStartArray("uco-observable:receivedLines");
            foreach (var hop in email.Received.OrderByDescending(h => h.Index))
            {
                w.WriteStringValue(hop.Raw);
            }

            w.WriteEndArray();
        }

        var headers = new List<(string Key, string Value)>();
        if (email.ReturnPath is not null)
        {
            headers.Add(("Return-Path", email.ReturnPath));
        }

        if (email.ReplyTo.Count > 0)
        {
            headers.Add(("Reply-To", string.Join(", ", email.ReplyTo.Select(a => a.Address))));
        }

        headers.AddRange(email.AuthenticationResults.Select(r => ("Authentication-Results", r)));
        if (email.OriginatingIp is not null)
        {
            headers.Add(("X-Originating-IP", email.OriginatingIp));
        }

        if (headers.Count > 0)
        {
            w.WriteStartObject("uco-observable:otherHeaders");
            Node(w, id + "-other-headers", "uco-types:Dictionary");
            w.WriteStartArray("uco-types:entry");
            for (var i = 0; i < headers.Count; i++)
            {
                w.WriteStartObject();
                Node(w, $"{id}-header-{i}", "uco-types:DictionaryEntry");
                w.WriteString("uco-types:key", headers[i].Key);
                w.WriteString("uco-types:value", headers[i].Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string EmailAddressId(string address) => "kb:email-address-" + ShortHash(address.ToLowerInvariant());

    private static string ShortHash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..16];

    private static void Node(Utf8JsonWriter w, string id, string type)
    {
        w.WriteString("@id", id);
        w.WriteString("@type", type);
    }

    private static void Typed(Utf8JsonWriter w, string property, string type, string value)
    {
        w.WriteStartObject(property);
        w.WriteString("@type", type);
        w.WriteString("@value", value);
        w.WriteEndObject();
    }

    private static void Reference(Utf8JsonWriter w, string property, string id)
    {
        w.WriteStartObject(property);
        w.WriteString("@id", id);
        w.WriteEndObject();
    }

    private static void References(Utf8JsonWriter w, string property, IReadOnlyList<string> ids)
    {
        w.WriteStartArray(property);
        foreach (var id in ids)
        {
            w.WriteStartObject();
            w.WriteString("@id", id);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
