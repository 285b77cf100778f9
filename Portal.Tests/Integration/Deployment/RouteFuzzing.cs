using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Deployment;

/// <summary>
/// What the route fuzz tests share: every route the portal maps (read from its endpoint data
/// source, so a new route is covered the day it is added), a path for it with one value in every
/// parameter, and the kinds of user who send the requests.
/// </summary>
public static class RouteFuzzing
{
    public static List<(string Pattern, string Method, RouteEndpoint Endpoint)> Endpoints(IServiceProvider services)
    {
        var source = services.GetRequiredService<EndpointDataSource>();
        return [.. source.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["GET", "POST"])
                .Select(m => ("/" + e.RoutePattern.RawText?.TrimStart('/'), m, e)))
            .Distinct()];
    }

    /// <summary>Ending a session (sign-out, closing the case page, quick exit) goes last, so the rest runs signed in.</summary>
    public static bool EndsASession(string pattern) =>
        pattern.Contains("sign-out", StringComparison.Ordinal) || pattern.EndsWith("/close", StringComparison.Ordinal) || pattern == "/leave";

    public static string Path(RoutePattern pattern, string value) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart => value,
            _ => "",
        }))));

    /// <summary>A visitor with no session; with forged cookies of every name the portal uses, plain and __Host-.</summary>
    public static async Task<FuzzIdentity> VisitorAsync(KestrelPortalFactory factory, bool junkCookies, IReadOnlyDictionary<string, string>? headers = null)
    {
        var identity = new FuzzIdentity(junkCookies ? "visitor with forged cookies" : "visitor", factory.Address, headers);
        if (junkCookies)
        {
            foreach (var prefix in new[] { "", "__Host-" })
            {
                identity.Jar[prefix + "portal-case"] = "CfDJ8" + new string('A', 200);
                identity.Jar[prefix + "portal-staff"] = "%%%";
                identity.Jar[prefix + "portal-2fa"] = "é";
                identity.Jar[prefix + "portal-lang"] = "c=%C3%A4|uic=zz-ZZ";
            }
        }

        await identity.TakeTokenAsync("/");
        return identity;
    }

    /// <summary>A victim who has just filed a report, holding the case session.</summary>
    public static async Task<FuzzIdentity> VictimAsync(KestrelPortalFactory factory, IReadOnlyDictionary<string, string>? headers = null)
    {
        var identity = new FuzzIdentity("victim", factory.Address, headers);
        var form = await identity.Client.GetPageAsync("/report");
        using (var submitted = await identity.Client.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        await identity.TakeTokenAsync("/status");
        return identity;
    }

    /// <summary>A staff member of the role, signed in with both factors.</summary>
    public static async Task<FuzzIdentity> StaffAsync(KestrelPortalFactory factory, string role, IReadOnlyDictionary<string, string>? headers = null)
    {
        var identity = new FuzzIdentity(role, factory.Address, headers);
        var account = await StaffAccounts.CreateAsync(factory, role);
        using (var signedIn = await StaffAccounts.SubmitSignInAsync(identity.Client, account, account.CodeAt(factory.Clock.GetUtcNow())))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }

        await identity.TakeTokenAsync("/staff");
        return identity;
    }
}

/// <summary>
/// One client with its cookies, sent by hand so that forged ones can sit beside them, and with
/// header values sent as raw UTF-8 (HttpClient would refuse them otherwise); with headers of its
/// own on every request (what a proxy in front adds).
/// </summary>
public sealed class FuzzIdentity
{
    public FuzzIdentity(string name, Uri address, IReadOnlyDictionary<string, string>? headers = null)
    {
        Name = name;
        Client = new HttpClient(new CookieJarHandler(Jar, new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        }))
        { BaseAddress = address };
        Client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Language", "fi-ÅÄÖ;q=abc, *;q=2, ;;;");
        foreach (var (header, value) in headers ?? new Dictionary<string, string>())
        {
            Client.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
        }
    }

    public string Name { get; }

    public ConcurrentDictionary<string, string> Jar { get; } = new(StringComparer.Ordinal);

    public HttpClient Client { get; }

    public string Token { get; private set; } = "";

    /// <summary>The Cookie header this identity sends.</summary>
    public string CookieHeader => string.Join("; ", Jar.Select(c => $"{c.Key}={c.Value}"));

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => Client.SendAsync(request);

    public async Task TakeTokenAsync(string page)
    {
        var document = await Client.GetPageAsync(page);
        Token = document.QuerySelector("input[name='__af']")?.GetAttribute("value")
            ?? throw new InvalidOperationException($"{page} has no antiforgery token for {Name}.");
    }

    private sealed class CookieJarHandler(ConcurrentDictionary<string, string> jar, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!jar.IsEmpty)
            {
                request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", jar.Select(c => $"{c.Key}={c.Value}")));
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var header in setCookies)
                {
                    var pair = header.Split(';', 2)[0].Split('=', 2);
                    var expired = header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase);
                    if (expired || pair.Length < 2 || pair[1].Length == 0)
                    {
                        jar.TryRemove(pair[0], out _);
                    }
                    else
                    {
                        jar[pair[0]] = pair[1];
                    }
                }
            }

            return response;
        }
    }
}
