using System.Collections.Frozen;
namespace Portal.Core.Features.Guidance;

public sealed record GuidanceArticle(string Slug, string Language, string Title, string Summary, int Order, string Html);

/// <summary>
/// Guidance articles are Markdown files, one folder per language (Guidance/en/dont-pay.md),
/// each opening with a small front matter block (title, summary, order). They are read once at
/// start-up; raw HTML in the Markdown is escaped, so an article can never carry script or style.
/// </summary>
public sealed class GuidanceLibrary
{
    public const string FallbackLanguage = "en";

    private readonly FrozenDictionary<(string Language, string Slug), GuidanceArticle> _articles;

    private GuidanceLibrary(IEnumerable<GuidanceArticle> articles) =>
        _articles = articles.ToFrozenDictionary(a => (a.Language, a.Slug));

    public static GuidanceLibrary Load(string directory)
    {
        var articles = new List<GuidanceArticle>();
        foreach (var languageDirectory in Directory.EnumerateDirectories(directory))
        {
            var language = Path.GetFileName(languageDirectory);
            foreach (var file in Directory.EnumerateFiles(languageDirectory, "*.md"))
            {
                articles.Add(Parse(Path.GetFileNameWithoutExtension(file), language, File.ReadAllText(file)));
            }
        }

        if (!articles.Any(a => a.Language == FallbackLanguage))
        {
            throw new InvalidOperationException($"No English guidance articles found under '{directory}'.");
        }

        return new GuidanceLibrary(articles);
    }

    internal static GuidanceArticle Parse(string slug, string language, string text)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var body = normalized;
        if (normalized.StartsWith("---\n", StringComparison.Ordinal))
        {
            var end = normalized.IndexOf("\n---", 4, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new InvalidOperationException($"Guidance article {language}/{slug} has an unterminated front matter block.");
            }

            foreach (var line in normalized[4..end].Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }

            body = normalized[(end + 4)..].TrimStart('-', '\n');
        }

        if (!fields.TryGetValue("title", out var title) || string.IsNullOrWhiteSpace(title))
        {
            throw new InvalidOperationException($"Guidance article {language}/{slug} has no title.");
        }

        var order = fields.TryGetValue("order", out var o) && int.TryParse(o, out var n) ? n : 100;
        return new GuidanceArticle(slug, language, title, fields.GetValueOrDefault("summary", ""), order, SafeMarkdown.ToHtml(body));
    }

    /// <summary>The article in the language asked for, else in English; null when the slug is unknown.</summary>
    public GuidanceArticle? Find(string slug, string language) =>
        _articles.GetValueOrDefault((language, slug)) ?? _articles.GetValueOrDefault((FallbackLanguage, slug));

    public IReadOnlyList<GuidanceArticle> All(string language) =>
        _articles.Values
            .Where(a => a.Language == FallbackLanguage)
            .Select(a => Find(a.Slug, language) ?? a)
            .OrderBy(a => a.Order)
            .ThenBy(a => a.Slug, StringComparer.Ordinal)
            .ToList();

    public IReadOnlyList<GuidanceArticle> ForSteps(IEnumerable<string> slugs, string language) =>
        slugs.Select(s => Find(s, language)).OfType<GuidanceArticle>().ToList();

    public IReadOnlyCollection<string> Languages => _articles.Keys.Select(k => k.Language).Distinct().ToList();
}
