namespace Portal.Web.Localization;

/// <summary>
/// Marks a form post whose refusal for what was typed (422) may be shown again in another
/// language. The action must answer a replay (<see cref="LanguageReplay.IsReplay"/>) whose form
/// is valid by showing the form again, never by doing what the form asks: a change of language is
/// not a second press of Send.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReplaysOnLanguageSwitchAttribute : Attribute;

/// <summary>
/// A change of language on a page that shows a form's errors. Without it the switcher came back to
/// the form's page by a GET, and the errors, and in most forms the words typed, were gone. The
/// switcher on such a page carries the fields as they were posted; the language is set, and the
/// browser is sent to post them again (307) to the same action, which shows the same errors with
/// the same words in the new language. Works without JavaScript; only plain (not multipart) forms.
/// </summary>
public static class LanguageReplay
{
    /// <summary>The field that names the form's action in the switcher, and marks the post it sends again.</summary>
    public const string Field = "__replay";

    /// <summary>The switcher's own fields and the antiforgery token (the switcher has its own), never copied.</summary>
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase) { "__af", "language", "returnUrl", Field };

    /// <summary>Whether this answer's switcher should carry the posted form: a refusal of what was typed, by an action that allows it.</summary>
    public static bool Offered(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
        && context.Response.StatusCode == StatusCodes.Status422UnprocessableEntity
        && context.GetEndpoint()?.Metadata.GetMetadata<ReplaysOnLanguageSwitchAttribute>() is not null
        && context.Request.HasFormContentType
        && !context.Request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The posted fields to carry, each value of a field repeated as it was sent.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Fields(HttpRequest request) =>
        request.Form
            .Where(field => !NotCopied.Contains(field.Key))
            .SelectMany(field => field.Value.Select(value => KeyValuePair.Create(field.Key, value ?? "")));

    /// <summary>This post is a form sent again for a change of language: show it, do not act on it.</summary>
    public static bool IsReplay(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.HasFormContentType && request.Form.ContainsKey(Field);
}
