using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Portal.Tests.Support;

/// <summary>
/// A victim's browser (a client keeping its cookies) with the case it filed, the receipt page it
/// was shown, and its case cookie as sent (name=value) to copy into another client.
/// </summary>
public sealed record Victim(HttpClient Client, FiledCase Case, IDocument Receipt, string CaseCookie);

/// <summary>What a victim does, through the pages as a browser without JavaScript would.</summary>
public static class VictimSteps
{
    public const string CaseCookieName = "__Host-portal-case";

    /// <summary>Files a report on the one-page form; the client keeps the case session it starts.</summary>
    public static async Task<Victim> FileAsync(PortalFactory factory, IReadOnlyDictionary<string, string?>? changes = null)
    {
        var answers = ReportAnswers.Valid();
        foreach (var (field, value) in changes ?? new Dictionary<string, string?>())
        {
            answers[field] = value;
        }

        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        var reference = page.QuerySelector("[data-testid=reference]")?.TextContent.Trim() ?? "";
        var key = page.QuerySelector("[data-testid=receipt-key]")?.TextContent.Trim() ?? "";
        Assert.NotEmpty(key);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(CaseCookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        var id = await factory.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        return new Victim(client, new FiledCase(id, reference, key), page, cookie);
    }

    /// <summary>A new browser that opens the case with its reference and key; null when they open nothing.</summary>
    public static async Task<HttpClient?> OpenAsync(PortalFactory factory, string reference, string key)
    {
        var client = factory.CreatePortalClient();
        var open = await client.GetPageAsync("/status/open");
        using var response = await client.SubmitAsync(open, "/status/open", new Dictionary<string, string?> { ["Reference"] = reference, ["ReceiptKey"] = key });
        return response.StatusCode == HttpStatusCode.Redirect ? client : null;
    }

    /// <summary>Whether this client's case session still opens the case page.</summary>
    public static async Task<bool> SeesCaseAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/status");
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Asks for the case page with nothing but a copy of a case cookie (taken from another device, say).</summary>
    public static async Task<HttpStatusCode> CaseWithCopiedCookieAsync(PortalFactory factory, string caseCookie)
    {
        var stranger = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost"), HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Add("Cookie", caseCookie);
        using var response = await stranger.SendAsync(request);
        return response.StatusCode;
    }
}
