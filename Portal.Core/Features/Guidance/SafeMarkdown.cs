using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Portal.Core.Features.Guidance;

/// <summary>
/// Markdown to HTML with raw HTML escaped and links limited to http, https, mailto, tel and
/// site-relative addresses, so authored text can never carry script or style.
/// </summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    public static string ToHtml(string markdown) => Render(Markdown.Parse(markdown, Pipeline));

    /// <summary>
    /// One line of Markdown (an article's summary) as inline HTML, without the paragraph around
    /// it, for a place that already is one: a crisis number in a summary can then be a tel: link.
    /// </summary>
    public static string ToInlineHtml(string markdown)
    {
        var html = Render(Markdown.Parse(markdown.ReplaceLineEndings(" "), Pipeline)).Trim();
        return html.StartsWith("<p>", StringComparison.Ordinal) && html.EndsWith("</p>", StringComparison.Ordinal) ? html[3..^4] : html;
    }

    private static string Render(MarkdownDocument document)
    {
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafeUrl(link.Url))
            {
                link.Url = "#";
            }
        }

        foreach (var autolink in document.Descendants<AutolinkInline>())
        {
            if (!autolink.IsEmail && !IsSafeUrl(autolink.Url))
            {
                autolink.Url = "#";
            }
        }

        return document.ToHtml(Pipeline);
    }

    private static bool IsSafeUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return true;
        }

        var trimmed = url.Trim();
        if (trimmed.StartsWith('/') && !trimmed.StartsWith("//", StringComparison.Ordinal))
        {
            return true;
        }

        return Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https" or "mailto" or "tel";
    }
}
