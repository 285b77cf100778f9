using System.Collections.Frozen;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Portal.Core.Email;

/// <summary>The templates there are; each exists in en, fi and sv (a test checks).</summary>
public static class EmailTemplates
{
    public const string VictimUpdate = "victim-update";
    public const string StaffInvitation = "staff-invitation";
    public const string ReferralAssigned = "referral-assigned";
    public const string ReferralEscalated = "referral-escalated";
    public const string EvidenceIntegrityAlert = "evidence-integrity-alert";
    public const string JobFailed = "job-failed";
    public const string DailyDigest = "daily-digest";
    public const string UrgentUnclaimed = "urgent-unclaimed";
    public const string ReferralWithdrawn = "referral-withdrawn";
    public const string ReceiptNewKey = "receipt-new-key";
    public const string DeadlineReminder = "deadline-reminder";
}

/// <summary>
/// Fills a template (Email/Templates/&lt;language&gt;/&lt;name&gt;.txt: a "Subject:" line, a blank
/// line, then the body) into a plain-text and an HTML body. Values are inserted as text and
/// escaped in the HTML; links in the result become anchors. Callers pass references and links
/// only, never case content.
/// </summary>
public sealed partial class EmailComposer(IOptions<EmailOptions> options)
{
    public static readonly IReadOnlyList<string> Languages = ["en", "fi", "sv"];

    private static readonly FrozenDictionary<(string Language, string Name), EmailTemplate> Templates = LoadTemplates();

    /// <summary>An absolute link into the portal for a site-relative path such as "/status".</summary>
    public string Link(string path) => options.Value.PortalUrl.TrimEnd('/') + "/" + path.TrimStart('/');

    /// <summary>
    /// Composes one notification. <paramref name="about"/> names what it is about, in ids that
    /// stay the same when it is sent again (e.g. "referralId/partnerId" for a referral-assigned
    /// email): the Message-ID is derived from it, so a resend after a crash is the same message
    /// to mail clients. Two different notifications must never share it.
    /// </summary>
    public EmailMessage Compose(string template, string language, IReadOnlyList<string> to, string about, IReadOnlyDictionary<string, string>? values = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(about);
        var chosen = Templates.GetValueOrDefault((language, template))
            ?? Templates.GetValueOrDefault(("en", template))
            ?? throw new ArgumentException($"There is no email template '{template}'.", nameof(template));
        var all = new Dictionary<string, string>(values ?? FrozenDictionary<string, string>.Empty) { ["PortalUrl"] = options.Value.PortalUrl };
        var subject = Fill(chosen.Subject, all, template);
        var text = Fill(chosen.Body, all, template);
        return new EmailMessage(to, subject, text, ToHtml(subject, text, language), MessageId(template, about));
    }

    /// <summary>
    /// "&lt;template&gt;.&lt;128 bits of SHA-256 of domain and key&gt;@&lt;domain&gt;", the domain
    /// being that of Email:From (else of Email:PortalUrl). Hashed so that the header shows no
    /// ids, and with the domain so that two portals never make the same one.
    /// </summary>
    internal string MessageId(string template, string about)
    {
        var domain = Domain();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{domain}\n{template}/{about}"));
        return $"{template}.{Convert.ToHexStringLower(hash.AsSpan(0, 16))}@{domain}";
    }

    /// <summary>The domain every Message-ID of the portal's mail ends in: mail carrying it back is the portal's own.</summary>
    public string MessageIdDomain => Domain();

    private string Domain()
    {
        var from = options.Value.From;
        var at = from.LastIndexOf('@');
        var domain = at >= 0 ? from[(at + 1)..].Trim().TrimEnd('>').Trim() : "";
        if (domain.Length > 0 && domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
        {
            return domain.ToLowerInvariant();
        }

        return Uri.TryCreate(options.Value.PortalUrl, UriKind.Absolute, out var url) ? url.IdnHost.ToLowerInvariant() : "localhost";
    }

    internal static IEnumerable<(string Language, string Name, string Subject, string Body)> All() =>
        Templates.Select(t => (t.Key.Language, t.Key.Name, t.Value.Subject, t.Value.Body));

    internal static IReadOnlySet<string> Placeholders(string text) =>
        PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();

    private static string Fill(string text, IReadOnlyDictionary<string, string> values, string template) =>
        PlaceholderPattern().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new ArgumentException($"The email template '{template}' needs a value for {{{m.Groups[1].Value}}}."));

    private static string ToHtml(string subject, string text, string language)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"").Append(language).Append("\"><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(subject)).Append("</title></head><body>");
        foreach (var paragraph in text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var escaped = WebUtility.HtmlEncode(paragraph).Replace("\n", "<br>");
            html.Append("<p>").Append(LinkPattern().Replace(escaped, m => $"<a href=\"{m.Value}\">{m.Value}</a>")).Append("</p>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static FrozenDictionary<(string, string), EmailTemplate> LoadTemplates()
    {
        var assembly = typeof(EmailComposer).Assembly;
        var templates = new Dictionary<(string, string), EmailTemplate>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            // Portal.Core.Email.Templates.<language>.<name>.txt
            var parts = resource[ResourcePrefix.Length..^".txt".Length].Split('.', 2);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException(resource), Encoding.UTF8);
            var content = reader.ReadToEnd().Replace("\r\n", "\n");
            var firstLine = content.IndexOf('\n');
            if (firstLine < 0 || !content.StartsWith("Subject: ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Email template {resource} must start with a 'Subject:' line.");
            }

            templates[(parts[0], parts[1])] = new EmailTemplate(content["Subject: ".Length..firstLine].Trim(), content[(firstLine + 1)..].Trim());
        }

        return templates.ToFrozenDictionary();
    }

    private const string ResourcePrefix = "Portal.Core.Email.Templates.";

    private sealed record EmailTemplate(string Subject, string Body);

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex LinkPattern();
}
