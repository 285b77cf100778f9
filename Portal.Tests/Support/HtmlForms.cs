using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Portal.Tests.Support;

/// <summary>Reads pages with AngleSharp and posts their forms the way a browser without JavaScript would.</summary>
public static class HtmlForms
{
    public static async Task<IDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var context = BrowsingContext.New(Configuration.Default);
        return await context.OpenAsync(request => request.Content(html).Address(response.RequestMessage?.RequestUri?.ToString() ?? "https://localhost/"));
    }

    public static async Task<IDocument> GetPageAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return await ParseAsync(response);
    }

    /// <summary>The values the form would send untouched: hidden fields, filled inputs, checked boxes, selected options.</summary>
    public static Dictionary<string, string> DefaultValues(IHtmlFormElement form)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement input when input.Type is "checkbox" or "radio":
                    if (input.IsChecked && !string.IsNullOrEmpty(input.Name))
                    {
                        values[input.Name] = input.Value;
                    }

                    break;
                case IHtmlInputElement input when input.Type is not ("submit" or "button") && !string.IsNullOrEmpty(input.Name):
                    values[input.Name] = input.Value;
                    break;
                case IHtmlTextAreaElement textArea when !string.IsNullOrEmpty(textArea.Name):
                    values[textArea.Name] = textArea.Value;
                    break;
                case IHtmlSelectElement select when !string.IsNullOrEmpty(select.Name):
                    values[select.Name] = select.Value ?? "";
                    break;
            }
        }

        return values;
    }

    /// <summary>The form posting to <paramref name="action"/>; a fragment in its action (where the answer scrolls to) is not part of where it posts.</summary>
    public static IHtmlFormElement Form(this IDocument document, string action) =>
        document.QuerySelectorAll<IHtmlFormElement>("form").SingleOrDefault(f => f.GetAttribute("action")?.Split('#')[0] == action)
        ?? throw new InvalidOperationException($"The page has no form posting to {action}.");

    /// <summary>Posts the form with its default values overridden by <paramref name="changes"/> (a null value removes the field).</summary>
    public static Task<HttpResponseMessage> SubmitAsync(this HttpClient client, IDocument document, string action, IReadOnlyDictionary<string, string?> changes)
    {
        var values = DefaultValues(document.Form(action));
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                values.Remove(key);
            }
            else
            {
                values[key] = value;
            }
        }

        return client.PostAsync(action, new FormUrlEncodedContent(values));
    }
}
