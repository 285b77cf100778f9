using System.Net;
using AngleSharp.Dom;

namespace Portal.Tests.Support;

/// <summary>The report form's steps as a victim goes through them, one plain form post each.</summary>
public static class ReportStepsWalk
{
    public static readonly string[] Steps = ["safety", "what-happened", "demand", "sharing", "contact"];

    /// <summary>Goes through every step with the answers that belong on it; returns the check step.</summary>
    public static async Task<IDocument> WalkAsync(HttpClient client, Dictionary<string, string?> answers)
    {
        var page = await client.GetPageAsync("/report");
        foreach (var step in Steps)
        {
            page = await ContinueAsync(client, page, step, answers);
        }

        return page;
    }

    /// <summary>Fills the step's questions from <paramref name="answers"/> and presses its "Save and continue".</summary>
    public static async Task<IDocument> ContinueAsync(HttpClient client, IDocument page, string step, Dictionary<string, string?> answers)
    {
        Assert.Equal(step, page.QuerySelector("[data-testid=report-step]")?.GetAttribute("data-step"));
        var form = page.Form("/report");
        var names = form.Elements.Select(e => e.GetAttribute("name")).OfType<string>().ToHashSet();
        var values = answers.Where(a => names.Contains(a.Key)).ToDictionary(a => a.Key, a => a.Value);
        values["step"] = page.QuerySelector("[data-testid=continue]")?.GetAttribute("value");
        using var response = await client.SubmitAsync(page, "/report", values);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"step {step} answered {(int)response.StatusCode}: {(await HtmlForms.ParseAsync(response)).QuerySelector(".error-summary a")?.GetAttribute("href")}");
        return await client.GetPageAsync(response.Headers.Location?.OriginalString ?? "");
    }
}
