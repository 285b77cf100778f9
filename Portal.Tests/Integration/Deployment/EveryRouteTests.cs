using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Portal.Core.Data;

namespace Portal.Tests.Integration.Deployment;

/// <summary>
/// Bad input never makes a server error: every route the portal maps (read from its endpoint data
/// source, so a new route is covered the day it is added) gets malformed route values, query
/// strings, headers, cookies and bodies, as a visitor, a victim holding a case session and staff of
/// each kind, with a valid antiforgery token so POSTs reach their actions. Every answer must be
/// 2xx, 3xx or 4xx, and the log must hold no unhandled exception.
/// </summary>
public sealed class EveryRouteTests(KestrelPortalFactory factory) : IClassFixture<KestrelPortalFactory>
{
    private static readonly string[] BadRouteValues =
    [
        "-1",
        "99999999999999999999999",
        "00000000-0000-0000-0000-000000000000",
        "%C3%A4%C3%B6%00",
        "..%2F..%2Fetc%2Fpasswd",
        new string('x', 300),
    ];

    private static readonly string BadQuery =
        "?returnUrl=%2F%C3%A4%C3%A4%0D%0Ax&returnUrl=%2F%2Fevil.example&page=-1&page=x&id=%00&q=%FF%FE"
        + "&reference=" + new string('A', 2000) + "&language=zz&sort=%27--&from=2026-13-45&to=x";

    private static readonly (string ContentType, string Body)[] BadBodies =
    [
        ("application/x-www-form-urlencoded", "Email=%C3%A4%00&Password=&Code=%FF&ReturnUrl=%2F%C3%A4%0A&Id=-1&CaseId=zzz&Reason=&Priority=999&Language=xx&Text=%3Cscript%3E&Outcome=99&Role=God&Reference=VS-&ReceiptKey=&Roles=x&Roles=y&a=%ZZ&%%%=&=="),
        ("multipart/form-data; boundary=fuzz", "--fuzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%C3%A4\u0000.eml\"\r\nContent-Type: text/plain\r\n\r\nnot a real upload\r\n--fuzz--\r\n"),
        ("multipart/form-data; boundary=fuzz-cut", "--fuzz-cut\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.eml\"\r\n\r\nends before its boundary"),
        ("multipart/form-data; boundary=", "--\r\n\r\n"),
        ("application/json", "{\"Email\": [1, {\"x\": null}"),
        ("text/plain; charset=utf-bogus", "\u00ff\u00fe\u0000"),
    ];

    [Fact]
    public async Task EveryRoute_WithBadHeadersBodiesAndParameters_AnswersBelow500_AndLogsNoUnhandledException()
    {
        var endpoints = RouteFuzzing.Endpoints(factory.Services);
        Assert.True(endpoints.Count > 50, $"only {endpoints.Count} endpoints found");
        Assert.Contains(endpoints, e => e.Pattern == "/status/evidence" && e.Method == "POST");

        var identities = new List<FuzzIdentity>
        {
            await RouteFuzzing.VisitorAsync(factory, junkCookies: false),
            await RouteFuzzing.VisitorAsync(factory, junkCookies: true),
            await RouteFuzzing.VictimAsync(factory),
        };
        foreach (var role in new[] { StaffRoles.Admin, StaffRoles.Supervisor, StaffRoles.Volunteer, StaffRoles.Police, StaffRoles.Counsellor })
        {
            identities.Add(await RouteFuzzing.StaffAsync(factory, role));
        }

        var serverErrors = new ConcurrentQueue<string>();
        var sent = 0;
        await Parallel.ForEachAsync(identities, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (identity, _) =>
        {
            foreach (var endpoint in endpoints.OrderBy(e => RouteFuzzing.EndsASession(e.Pattern)))
            {
                foreach (var request in Requests(endpoint, identity))
                {
                    var description = $"{identity.Name}: {request.Method} {request.RequestUri?.OriginalString[..Math.Min(160, request.RequestUri.OriginalString.Length)]} ({request.Content?.Headers.ContentType})";
                    using (request)
                    using (var response = await identity.SendAsync(request))
                    {
                        Interlocked.Increment(ref sent);
                        if ((int)response.StatusCode >= 500)
                        {
                            serverErrors.Enqueue($"{(int)response.StatusCode} for {description}");
                        }
                    }
                }
            }
        });

        Assert.True(serverErrors.IsEmpty, $"{serverErrors.Count} of {sent} requests answered 5xx:\n{string.Join("\n", serverErrors.Take(40))}");
        var unhandled = factory.Logs.Lines.Where(UnhandledExceptionLog.IsUnhandled).ToList();
        Assert.True(unhandled.Count == 0, $"{unhandled.Count} unhandled exceptions logged:\n{string.Join("\n", unhandled.Take(10))}");
    }

    private static IEnumerable<HttpRequestMessage> Requests((string Pattern, string Method, RouteEndpoint Endpoint) endpoint, FuzzIdentity identity)
    {
        var paths = endpoint.Endpoint.RoutePattern.Parameters.Count == 0
            ? [RouteFuzzing.Path(endpoint.Endpoint.RoutePattern, "")]
            : BadRouteValues.Select(v => RouteFuzzing.Path(endpoint.Endpoint.RoutePattern, v)).ToList();
        foreach (var path in paths)
        {
            if (endpoint.Method is "GET" or "HEAD" or "DELETE" or "PUT" or "PATCH" or "OPTIONS")
            {
                var get = new HttpRequestMessage(new HttpMethod(endpoint.Method), path + BadQuery);
                get.Headers.TryAddWithoutValidation("Range", "bytes=999999999-1,x");
                get.Headers.TryAddWithoutValidation("If-Modified-Since", "yesterday");
                yield return get;
                yield return new HttpRequestMessage(HttpMethod.Head, path);
                continue;
            }

            foreach (var (contentType, body) in BadBodies)
            {
                var content = contentType.StartsWith("multipart/form-data; boundary=fuzz", StringComparison.Ordinal)
                    ? $"--{contentType.Split('=')[1]}\r\nContent-Disposition: form-data; name=\"__af\"\r\n\r\n{identity.Token}\r\n" + body
                    : body;
                var post = new HttpRequestMessage(HttpMethod.Post, path + BadQuery)
                {
                    Content = new ByteArrayContent(Encoding.UTF8.GetBytes(content)),
                };
                post.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                // The token also as a header-less field at the end of a form body, where MVC looks for it.
                if (contentType == "application/x-www-form-urlencoded")
                {
                    post.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body + "&__af=" + Uri.EscapeDataString(identity.Token)));
                    post.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }

                yield return post;
            }
        }
    }
}
