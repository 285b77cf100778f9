using Microsoft.AspNetCore.Routing.Template;

namespace Portal.Web.Localization;

/// <summary>
/// Which addresses a browser can open (a GET). The language switcher comes back to the page it was
/// pressed on, but a page shown in answer to a form post (a message with an error, a pasted email
/// that needs a fix) has only its form's address, which a GET answers with 404: it comes back to
/// the nearest page above that address instead (/status/messages to /status). A page a browser
/// opened itself, a "not found" page included, comes back to its own address.
/// </summary>
public sealed class ShownPages(EndpointDataSource endpoints, IInlineConstraintResolver constraints)
{
    private IReadOnlyList<Page>? pages;
    private IReadOnlyList<Page>? replayed;

    /// <summary>Where the language switcher on this answer's page comes back to.</summary>
    public string ReturnAddress(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            ? (request.Path + request.QueryString).ToString()
            : Nearest(request.Path.Value ?? "/");

    /// <summary><paramref name="address"/> if a GET shows it, else the nearest shown page above it, else "/".</summary>
    public string Nearest(string address)
    {
        var query = address.IndexOfAny(['?', '#']);
        var path = (query < 0 ? address : address[..query]).TrimEnd('/');
        if (IsShown(path))
        {
            return address;
        }

        while (path.LastIndexOf('/') is var slash and > 0)
        {
            path = path[..slash];
            if (IsShown(path))
            {
                return path;
            }
        }

        return "/";
    }

    /// <summary>Whether a post to <paramref name="path"/> reaches an action that shows its form again for a change of language (<see cref="LanguageReplay"/>).</summary>
    public bool Replays(string path) =>
        (replayed ??= GetPages(e =>
            e.Metadata.GetMetadata<IHttpMethodMetadata>() is { } methods && methods.HttpMethods.Contains(HttpMethods.Post)
            && e.Metadata.GetMetadata<ReplaysOnLanguageSwitchAttribute>() is not null))
        .Any(page => page.Shows(path.TrimEnd('/')));

    private bool IsShown(string path)
    {
        if (path.Length == 0)
        {
            return true;
        }

        return (pages ??= GetPages(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains(HttpMethods.Get))).Any(page => page.Shows(path));
    }

    private List<Page> GetPages(Func<RouteEndpoint, bool> answers) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(answers)
            // The not-found page's catch-all answers every address; it shows none of them.
            .Where(e => !e.RoutePattern.Parameters.Any(p => p.IsCatchAll))
            .Select(e => new Page(
                new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary(e.RoutePattern.Defaults)),
                e.RoutePattern.RequiredValues,
                e.RoutePattern.ParameterPolicies
                    .SelectMany(p => p.Value.Select(policy => (p.Key, Constraint: policy.ParameterPolicy as IRouteConstraint ?? (policy.Content is { } text ? constraints.ResolveConstraint(text) : null))))
                    .Where(c => c.Constraint is not null)
                    .Select(c => (c.Key, c.Constraint!))
                    .ToList()))
            .ToList();

    private sealed record Page(TemplateMatcher Matcher, IReadOnlyDictionary<string, object?> RequiredValues, List<(string Parameter, IRouteConstraint Constraint)> Constraints)
    {
        public bool Shows(string path)
        {
            var values = new RouteValueDictionary();
            return Matcher.TryMatch(path, values)
                // Conventional routes ({controller}/{action}) match any two segments; only a real action counts.
                && RequiredValues.All(required => required.Value is null || string.Equals(required.Value.ToString(), values[required.Key]?.ToString(), StringComparison.OrdinalIgnoreCase))
                && Constraints.All(c => c.Constraint.Match(null, null, c.Parameter, values, RouteDirection.IncomingRequest));
        }
    }
}
