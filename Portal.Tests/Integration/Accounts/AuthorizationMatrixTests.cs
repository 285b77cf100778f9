using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;
using Portal.Web.Jobs;

namespace Portal.Tests.Integration.Accounts;

/// <summary>
/// Who may reach what, generated from the application's own routes and checked over HTTP for
/// anonymous visitors and every staff role. The expectations are written here independently of
/// the attributes in the controllers; a route without an expectation fails the test, so every new
/// endpoint needs a decision. (Which case, evidence, message, referral or organisation a permitted
/// user may see is tested by the feature tests: another one's id answers 404.)
/// </summary>
public sealed class AuthorizationMatrixTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    private const string Anonymous = "anonymous";
    private const string Victim = "victim";
    private const string AnyStaff = "any staff";

    private static readonly string[] Roles = [StaffRoles.Volunteer, StaffRoles.Supervisor, StaffRoles.Counsellor, StaffRoles.Police, StaffRoles.Admin];

    /// <summary>First match wins: (method or *, route template pattern, who may).</summary>
    private static readonly (string Method, Regex Template, string[] Who)[] Expectations =
    [
        ("*", Rx(@"^(|updates|privacy|language|leave|report(/all|/discard|/\{step\})?|guidance(/.*)?|status/(open|close|closed|new-key)|account/sign-in(/code)?|account/denied|account/invitation|keys/bundle-signing\.pem|error(/.*)?|\{\*path\})$"), [Anonymous]),
        ("*", Rx(@"^(report/receipt(/saved)?|status(/messages|/consent|/evidence(/.*)?|/diary(/.*)?|/documents(/.*)?|/case-file|/forwarding-address)?)$"), [Victim]),
        ("*", Rx(@"^(staff|account/sign-out|account/two-factor(/recovery-codes)?|account/confirm(/done)?)$"), [AnyStaff]),
        ("*", Rx(@"^staff/cases/\{caseId\}/(reassign|release-claim)$"), [StaffRoles.Supervisor]),
        ("*", Rx(@"^staff/cases/\{caseId\}/bundle$"), [StaffRoles.Supervisor, StaffRoles.Police]),
        ("*", Rx(@"^staff/(queue(/.*)?|cases/.*|messages)$"), [StaffRoles.Volunteer, StaffRoles.Supervisor]),
        ("*", Rx(@"^staff/campaigns/(recompute|\{campaignId\}/approve-export|\{campaignId\}/actions(/.*)?)$"), [StaffRoles.Supervisor]),
        ("*", Rx(@"^staff/campaigns/\{campaignId\}/bundle$"), [StaffRoles.Police]),
        ("*", Rx(@"^staff/campaigns(/\{campaignId\})?$"), [StaffRoles.Supervisor, StaffRoles.Police]),
        ("*", Rx(@"^staff/(audit(/.*)?|dashboard|statistics(/export)?|canned-responses(/.*)?|referrals(/.*)?)$"), [StaffRoles.Supervisor, StaffRoles.Admin]),
        // The jobs dashboard (Hangfire's): supervisors read, only admins give commands.
        ("GET", Rx(@"^admin/jobs/\{\*path\}$"), [StaffRoles.Supervisor, StaffRoles.Admin]),
        ("POST", Rx(@"^admin/jobs/\{\*path\}$"), [StaffRoles.Admin]),
        ("*", Rx(@"^(staff/(updates/new|updates/\{noticeId\}/withdraw|users(/.*)?|invitations(/.*)?)|admin/.*)$"), [StaffRoles.Admin]),
        ("*", Rx(@"^partner/referrals(/.*)?$"), [StaffRoles.Counsellor, StaffRoles.Police]),
    ];

    [Fact]
    public async Task EveryRoute_RefusesAnonymousVisitorsAndEveryRoleItIsNotFor()
    {
        var routes = Routes();
        Assert.True(routes.Count > 60, $"only {routes.Count} routes found: the scan is broken");
        Assert.Contains(routes, r => r.Template == "admin/jobs/{*path}");
        var unplanned = routes.Where(r => Expected(r) is null).Select(r => $"{r.Method} /{r.Template}").ToList();
        Assert.True(unplanned.Count == 0, "routes without an expectation: " + string.Join(", ", unplanned));

        var problems = new List<string>();
        using var anonymous = factory.CreatePortalClient();
        foreach (var route in routes.Where(r => !Expected(r)!.Contains(Anonymous)))
        {
            using var response = await SendAsync(anonymous, route);
            var who = Expected(route)!;
            var signIn = who.Contains(Victim) ? "/status/open" : "/account/sign-in";
            if (!RedirectsTo(response, signIn))
            {
                problems.Add($"anonymous {route.Method} {route.Path}: {(int)response.StatusCode} {response.Headers.Location}, expected a redirect to {signIn}");
            }
        }

        foreach (var role in Roles)
        {
            using var staff = await StaffAccounts.SignedInClientAsync(factory, role);
            foreach (var route in routes.Where(r => !Expected(r)!.Contains(Anonymous) && r.Template != "account/sign-out"))
            {
                var who = Expected(route)!;
                using var response = await SendAsync(staff, route);
                var allowed = who.Contains(AnyStaff) || who.Contains(role);
                if (who.Contains(Victim))
                {
                    if (!RedirectsTo(response, "/status/open") && !RedirectsTo(response, "/account/denied"))
                    {
                        problems.Add($"{role} {route.Method} {route.Path}: {(int)response.StatusCode}, a victim's page must refuse staff");
                    }
                }
                else if (allowed && (RedirectsTo(response, "/account/denied") || RedirectsTo(response, "/account/sign-in")))
                {
                    problems.Add($"{role} {route.Method} {route.Path}: refused ({response.Headers.Location}) but should be allowed");
                }
                else if (!allowed && !RedirectsTo(response, "/account/denied"))
                {
                    problems.Add($"{role} {route.Method} {route.Path}: {(int)response.StatusCode} {response.Headers.Location}, expected a refusal");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private const string DashboardEndpoint = "Jobs dashboard (Hangfire)";

    /// <summary>
    /// The victim's case file is theirs: generated from the same routes, every page a staff role
    /// may open (the partner workspace, the staff case view, the evidence bundle after signing in
    /// again) is fetched for a case whose victim shared one diary entry and one document and kept
    /// one of each private, with the case's real ids in the route. No answer, not even a stored
    /// ZIP, holds the private ones; the pages for the case show the shared entry.
    /// </summary>
    [Fact]
    public async Task NoStaffRole_NorPartner_EverSeesAnUnsharedDiaryEntryOrDocument_OnAnyPageItMayOpen()
    {
        var mark = Guid.NewGuid().ToString("N")[..8];
        var sharedEntry = $"SHARED-ENTRY-{mark}";
        var privateEntry = $"PRIVATE-ENTRY-{mark}";
        var privateDocument = $"PRIVATE-DOC-{mark}";
        var (victim, filed) = await CaseFileSteps.FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "satakunta", ["ConsentCounselling"] = "true" });
        (await CaseFileSteps.AddEntryAsync(victim, $"Told my employer. {sharedEntry}", shared: true)).Dispose();
        (await CaseFileSteps.AddEntryAsync(victim, $"Cried all night. {privateEntry}", kind: "Note")).Dispose();
        (await CaseFileSteps.UploadDocumentAsync(victim, $"shared-{mark}.pdf", "application/pdf", CaseFileSteps.ReceiptPdf)).Dispose();
        (await CaseFileSteps.UploadDocumentAsync(victim, $"{privateDocument}.pdf", "application/pdf", System.Text.Encoding.ASCII.GetBytes($"%PDF-1.4\n% {privateDocument}\n%%EOF\n"))).Dispose();
        var sharedDocumentId = await factory.QueryAsync(db =>
            db.EvidenceFiles.Where(e => e.CaseId == filed.Id && e.Purpose == FilePurpose.Document && e.Size == CaseFileSteps.ReceiptPdf.Length).Select(e => e.Id).SingleAsync());
        (await CaseFileSteps.ShareDocumentAsync(victim, sharedDocumentId, shared: true)).Dispose();

        var police = await RoutingSteps.AddPartnerAsync(factory, PartnerType.Police, "satakunta");
        var counselling = await RoutingSteps.AddPartnerAsync(factory, PartnerType.Counselling, "satakunta");
        using (var decided = await RoutingSteps.DecideAsync(factory, filed.Id, "PoliceAndCounselling"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referrals = await RoutingSteps.ReferralsAsync(factory, filed.Id);
        foreach (var referral in referrals)
        {
            await RoutingSteps.RouteAsync(factory, referral.Id);
        }

        var clients = new Dictionary<string, (HttpClient Client, long? ReferralId)>();
        foreach (var (role, partner, type) in new[] { (StaffRoles.Police, police, PartnerType.Police), (StaffRoles.Counsellor, counselling, PartnerType.Counselling) })
        {
            var account = await StaffAccounts.CreateAsync(factory, role);
            await factory.QueryAsync(db => db.Users.Where(u => u.Email == account.Email).ExecuteUpdateAsync(u => u.SetProperty(x => x.PartnerId, partner.Id)));
            var client = await BundleDownloads.SignInForExportAsync(factory, account);
            await BundleDownloads.ConfirmNowAsync(factory, client, account);
            clients[role] = (client, referrals.Single(r => r.PartnerType == type).Id);
        }

        foreach (var role in new[] { StaffRoles.Volunteer, StaffRoles.Supervisor, StaffRoles.Admin })
        {
            var account = await StaffAccounts.CreateAsync(factory, role);
            var client = await BundleDownloads.SignInForExportAsync(factory, account);
            await BundleDownloads.ConfirmNowAsync(factory, client, account);
            clients[role] = (client, null);
        }

        var problems = new List<string>();
        var pagesShowingTheSharedEntry = new List<string>();
        foreach (var (role, (client, referralId)) in clients)
        {
            var values = new Dictionary<string, string> { ["caseId"] = filed.Id.ToString(), ["referralId"] = (referralId ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            foreach (var route in Routes().Where(r => r.Method == "GET" && Expected(r) is { } who && (who.Contains(role) || who.Contains(AnyStaff))))
            {
                var path = PathWith(route, values);
                using var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsByteArrayAsync();
                foreach (var secret in new[] { privateEntry, privateDocument })
                {
                    if (body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) >= 0)
                    {
                        problems.Add($"{role} GET {path} ({(int)response.StatusCode}) shows {secret}");
                    }
                }

                if (System.Text.Encoding.UTF8.GetString(body).Contains(sharedEntry, StringComparison.Ordinal))
                {
                    pagesShowingTheSharedEntry.Add($"{role} {route.Template}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Contains($"{StaffRoles.Police} partner/referrals/{{referralId}}", pagesShowingTheSharedEntry);
        Assert.Contains($"{StaffRoles.Counsellor} partner/referrals/{{referralId}}", pagesShowingTheSharedEntry);
        Assert.Contains($"{StaffRoles.Volunteer} staff/cases/{{caseId}}", pagesShowingTheSharedEntry);
        Assert.Contains($"{StaffRoles.Supervisor} staff/cases/{{caseId}}", pagesShowingTheSharedEntry);
    }

    private sealed record RouteUnderTest(string Method, string Template, string Path);

    /// <summary>The route's sample path with the named parameters replaced by real values.</summary>
    private static string PathWith(RouteUnderTest route, Dictionary<string, string> values)
    {
        var templates = route.Template.Split('/');
        var samples = route.Path.TrimStart('/').Split('/');
        return "/" + string.Join('/', templates.Select((segment, i) =>
            segment.StartsWith('{') && segment.EndsWith('}') && values.TryGetValue(segment.Trim('{', '}', '*'), out var value) ? value : samples[i]));
    }

    private static string[]? Expected(RouteUnderTest route) =>
        Expectations.FirstOrDefault(e => (e.Method == "*" || e.Method == route.Method) && e.Template.IsMatch(route.Template)).Who;

    private List<RouteUnderTest> Routes()
    {
        var sources = factory.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var routes = new List<RouteUnderTest>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.DisplayName == DashboardEndpoint)
            {
                // Hangfire's dashboard is one endpoint for every page and command: a page, and a command.
                routes.Add(new RouteUnderTest("GET", "admin/jobs/{*path}", JobsDashboard.Path + "/recurring"));
                routes.Add(new RouteUnderTest("POST", "admin/jobs/{*path}", JobsDashboard.Path + "/recurring/trigger"));
                continue;
            }

            if (endpoint.Metadata.GetMetadata<ControllerActionDescriptor>() is null)
            {
                continue;
            }

            var pattern = endpoint.RoutePattern;
            var template = string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => parameter.IsCatchAll ? "{*" + parameter.Name + "}" : "{" + parameter.Name + "}",
                _ => "",
            }))));
            var path = "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => SampleValue(parameter),
                _ => "",
            }))));
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            routes.AddRange(methods.Select(m => new RouteUnderTest(m, template, path)));
        }

        return routes.DistinctBy(r => (r.Method, r.Template)).OrderBy(r => r.Template, StringComparer.Ordinal).ToList();
    }

    private static string SampleValue(Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter)
    {
        var constraints = parameter.ParameterPolicies.Select(p => p.Content ?? "").ToList();
        if (constraints.Contains("guid"))
        {
            return Guid.NewGuid().ToString();
        }

        if (constraints.Contains("int") || constraints.Contains("long"))
        {
            return "1";
        }

        return parameter.Name == "slug" ? "dont-pay" : "x";
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, RouteUnderTest route) =>
        route.Method == "GET"
            ? client.GetAsync(route.Path)
            : client.SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), route.Path) { Content = new FormUrlEncodedContent([]) });

    private static bool RedirectsTo(HttpResponseMessage response, string path) =>
        response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther
        && (response.Headers.Location?.OriginalString ?? "") is var location
        && (location.StartsWith(path, StringComparison.Ordinal) || location.StartsWith("https://localhost" + path, StringComparison.Ordinal) || location.StartsWith("http://localhost" + path, StringComparison.Ordinal));

    private static Regex Rx(string pattern) => new(pattern, RegexOptions.CultureInvariant);
}
