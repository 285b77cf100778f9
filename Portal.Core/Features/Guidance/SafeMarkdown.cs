using Markdig;

namespace Portal.Core.Features.Guidance;

/// <summary>Markdown to HTML with raw HTML escaped, so authored text can never carry script or style.</summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    public static string ToHtml(string markdown) => Markdown.ToHtml(markdown, Pipeline);
}
