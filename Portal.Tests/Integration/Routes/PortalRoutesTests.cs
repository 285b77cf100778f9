using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Features;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Routes;

/// <summary>
/// Every address in PortalRoutes (what emails link to and use cases redirect to) reaches a page
/// of the running application that answers GET: matched against the app's own endpoints, with
/// their constraints, not against a copy of the templates. A digest once linked to a 404.
/// The catch-all "not found" page does not count as reaching a page.
/// </summary>
public sealed class PortalRoutesTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    /// <summary>Every constant and every address builder of PortalRoutes, builders called with sample values.</summary>
    public static TheoryData<string, string> Links()
    {
        var links = new TheoryData<string, string>();
        foreach (var field in typeof(PortalRoutes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
        {
            links.Add(field.Name, (string?)field.GetRawConstantValue() ?? "");
        }

        foreach (var method in typeof(PortalRoutes).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(string)))
        {
            var arguments = method.GetParameters().Select(p => SampleOf(p.ParameterType, method.Name)).ToArray();
            links.Add(method.Name, (string?)method.Invoke(null, arguments) ?? "");
        }

        return links;
    }

    [Theory]
    [MemberData(nameof(Links))]
    public void Link_ReachesAPageThatAnswersGet(string name, string link)
    {
        Assert.StartsWith("/", link, StringComparison.Ordinal);
        Assert.True(EndpointsReaching(link).Count > 0, $"PortalRoutes.{name} ({link}) matches no GET endpoint of the portal.");
    }

    /// <summary>The check itself can fail: a mistyped page, or an id its route's constraint refuses, reaches nothing.</summary>
    [Theory]
    [InlineData("/staff/case/8c7e2a4e-3f1b-4c55-9d2e-5b0f6a1c9e11")]
    [InlineData("/staff/cases/not-a-case-id")]
    [InlineData("/partner/referrals/12/acknowledge")]
    [InlineData("/staff/digest")]
    public void MistypedLink_ReachesNoPage(string link) => Assert.Empty(EndpointsReaching(link));

    /// <summary>The GET endpoints (by route template) that would serve the link's path.</summary>
    private List<string> EndpointsReaching(string link)
    {
        var path = link.Split('?', '#')[0];
        var constraints = factory.Services.GetRequiredService<IInlineConstraintResolver>();
        return factory.Services.GetRequiredService<IEnumerable<EndpointDataSource>>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(endpoint => Serves(endpoint) && AnswersGet(endpoint) && !CatchesEverything(endpoint))
            .Where(endpoint => Matches(endpoint, path, constraints))
            .Select(endpoint => endpoint.RoutePattern.RawText ?? endpoint.DisplayName ?? "")
            .ToList();
    }

    /// <summary>
    /// The "not found" page, whose route starts with a catch-all and so matches any path. A
    /// catch-all under a fixed prefix (the jobs dashboard's pages under /admin/jobs) is a real page.
    /// </summary>
    private static bool CatchesEverything(RouteEndpoint endpoint) =>
        endpoint.RoutePattern.PathSegments is [var first, ..] && first.Parts is [RoutePatternParameterPart { IsCatchAll: true }];

    /// <summary>Not an endpoint kept only to generate links (MVC's for its conventional route), which never serves a request.</summary>
    private static bool Serves(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<ISuppressMatchingMetadata>() is not { SuppressMatching: true };

    private static bool AnswersGet(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods
        || methods.HttpMethods.Count == 0
        || methods.HttpMethods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase);

    private static bool Matches(RouteEndpoint endpoint, string path, IInlineConstraintResolver constraints)
    {
        var pattern = endpoint.RoutePattern;
        var values = new RouteValueDictionary();
        if (!new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary(pattern.Defaults)).TryMatch(path, values))
        {
            return false;
        }

        // A conventional route's endpoint serves one controller and action only.
        foreach (var (key, required) in pattern.RequiredValues)
        {
            if (required is string expected && !string.Equals(values[key]?.ToString(), expected, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        foreach (var (parameter, policies) in pattern.ParameterPolicies)
        {
            foreach (var policy in policies)
            {
                var constraint = policy.ParameterPolicy as IRouteConstraint ?? (policy.Content is { } content ? constraints.ResolveConstraint(content) : null);
                if (constraint is not null && !constraint.Match(null, null, parameter, values, RouteDirection.IncomingRequest))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static object SampleOf(Type type, string method) =>
        type == typeof(Guid) ? Guid.NewGuid()
        : type == typeof(long) ? 42L
        : type == typeof(int) ? 42
        : type == typeof(string) ? "sample-token"
        : throw new InvalidOperationException($"PortalRoutes.{method} takes a {type.Name}: give this test a sample value for it.");
}
