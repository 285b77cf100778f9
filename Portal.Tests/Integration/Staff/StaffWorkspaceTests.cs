using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Features.Routing;
using Portal.Core.Features.Triage;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Staff;

/// <summary>A portal whose deployment names the breaches victims can choose (Reports:BreachOrganisations).</summary>
public sealed class BreachNamingPortalFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Reports:BreachOrganisations:0:Key", "vastaamo"),
        new("Reports:BreachOrganisations:0:Name", "Psykoterapiakeskus Vastaamo"),
    ];
}

/// <summary>
/// Issue 16, defects 7 to 9: the staff pages as a workspace of their own (navigation and
/// sign-out everywhere, claiming opens the case, a refused file opening answers at the file),
/// the case view complete and readable (dates, region, breach, indicators, the trail's subjects,
/// roles in the reader's language, local times, staff's own labels), and reassignment that asks
/// why and proposes nobody.
/// </summary>
public sealed class StaffWorkspaceTests(BreachNamingPortalFactory factory) : IClassFixture<BreachNamingPortalFactory>
{
    [Theory]
    [InlineData(StaffRoles.Volunteer, "/staff/queue", new[] { "/staff/queue", "/staff/messages" }, new[] { "/staff/dashboard", "/staff/users", "/staff/audit" })]
    [InlineData(StaffRoles.Supervisor, "/staff/audit", new[] { "/staff/queue", "/staff/campaigns", "/staff/dashboard", "/staff/statistics", "/staff/audit" }, new[] { "/staff/users", "/partner/referrals" })]
    [InlineData(StaffRoles.Admin, "/staff/users", new[] { "/staff/users", "/staff/invitations", "/admin/partners", "/staff/statistics" }, new[] { "/staff/queue", "/staff/campaigns" })]
    [InlineData(StaffRoles.Police, "/partner/referrals", new[] { "/partner/referrals", "/staff/campaigns" }, new[] { "/staff/queue", "/staff/audit" })]
    public async Task EveryStaffPage_HasTheStaffNavigationForTheRole_AndSignOut(string role, string page, string[] offered, string[] notOffered)
    {
        // Partner staff see their referrals only as members of a partner organisation.
        var staff = role == StaffRoles.Police
            ? (await RoutingSteps.PartnerStaffAsync(factory, (await RoutingSteps.AddPartnerAsync(factory, PartnerType.Police, "uusimaa")).Id, role)).Client
            : await StaffAccounts.SignedInClientAsync(factory, role);

        foreach (var path in new[] { "/staff", page })
        {
            var document = await staff.GetPageAsync(path);
            var nav = document.QuerySelector("nav[data-testid=staff-nav]") ?? throw new InvalidOperationException($"{path} has no staff navigation");
            var links = nav.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
            Assert.All(offered, href => Assert.Contains(href, links));
            Assert.All(notOffered, href => Assert.DoesNotContain(href, links));
            Assert.NotNull(document.QuerySelector("header form[action='/account/sign-out'] button"));
            // Not the victims' header: no quick exit, no report form in the navigation.
            Assert.Null(document.QuerySelector("[data-quick-exit]"));
            Assert.Null(nav.QuerySelector("a[href='/report']"));
            Assert.Equal(path == "/staff" ? "/staff" : page, nav.QuerySelector("a[aria-current=page]")?.GetAttribute("href"));
            Assert.Contains("Europe/Helsinki", document.QuerySelector("[data-testid=time-zone]")?.TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Claiming_OpensTheCase_SayingItIsYours()
    {
        var caseId = await FileAsync(ReportAnswers.Valid());
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await volunteer.GetPageAsync("/staff/queue");

        using var claimed = await volunteer.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>());

        Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
        Assert.Equal($"/staff/cases/{caseId}?claimed=1", claimed.Headers.Location?.OriginalString);
        var page = await volunteer.GetPageAsync(claimed.Headers.Location?.OriginalString ?? "");
        Assert.StartsWith("The case is yours to work.", page.QuerySelector("[data-testid=case-message]")?.TextContent.Trim(), StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector($"form[action='/staff/cases/{caseId}/decision']"));
    }

    [Fact]
    public async Task OpeningAFileWithoutAReason_AnswersAtThatFile_NotAtTheTopOfThePage()
    {
        var (victim, token) = await EvidenceUploads.NewCaseAsync(factory);
        using (var uploaded = await EvidenceUploads.UploadAsync(victim, token, "ransom.eml", "message/rfc822", System.Text.Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail())))
        {
            Assert.True(uploaded.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.SeeOther);
        }

        var file = await factory.QueryAsync(db => db.EvidenceFiles.OrderByDescending(e => e.ReceivedAt).Select(e => new { e.CaseId, e.Id }).FirstAsync());
        var (caseId, evidenceId) = (file.CaseId, file.Id);
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var page = await supervisor.GetPageAsync($"/staff/cases/{caseId}");
        var action = $"/staff/cases/{caseId}/evidence/{evidenceId}/open";
        Assert.Equal($"{action}#evidence-{evidenceId}", page.Form(action).GetAttribute("action"));

        using var refused = await supervisor.SubmitAsync(page, action, new Dictionary<string, string?> { ["reason"] = "no" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var answer = await HtmlForms.ParseAsync(refused);
        var article = answer.QuerySelector($"#evidence-{evidenceId}") ?? throw new InvalidOperationException("the file is not on the page");
        var error = article.QuerySelector("[data-testid=reason-error]") ?? throw new InvalidOperationException("the error is not at the file");
        var input = article.QuerySelector($"#reason-{evidenceId}");
        Assert.Equal("true", input?.GetAttribute("aria-invalid"));
        Assert.Equal(error.Id, input?.GetAttribute("aria-describedby"));
        // Nothing at the top takes the reader away from the file (script focuses an error summary).
        Assert.Null(answer.QuerySelector("[data-error-summary]"));
    }

    [Fact]
    public async Task CaseView_ShowsTheEmailDate_Region_AndTheBreachByName_WithStaffLabels()
    {
        var answers = ReportAnswers.Valid();
        answers["Region"] = "pirkanmaa";
        answers["BreachOrganisation"] = "vastaamo";
        var named = await FileAsync(answers);
        answers["BreachOrganisation"] = "other";
        answers["Region"] = "";
        var other = await FileAsync(answers);
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);

        var page = await volunteer.GetPageAsync($"/staff/cases/{named}");
        Assert.Equal("2026-11-20", page.QuerySelector("[data-testid=email-received-on]")?.TextContent);
        Assert.Equal("Pirkanmaa", page.QuerySelector("[data-testid=region]")?.TextContent);
        Assert.Equal("Psykoterapiakeskus Vastaamo", page.QuerySelector("[data-testid=breach-organisation]")?.TextContent);
        var labels = page.QuerySelectorAll("[data-testid=answers] dt").Select(dt => dt.TextContent).ToList();
        Assert.Contains("What happened", labels);
        Assert.DoesNotContain(labels, l => l.Contains("(required)", StringComparison.Ordinal) || l.Contains("(optional)", StringComparison.Ordinal));
        Assert.DoesNotContain("(required)", page.QuerySelector("main")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("I don't know", page.QuerySelector("[data-testid=answers]")?.TextContent, StringComparison.Ordinal);

        var otherPage = await volunteer.GetPageAsync($"/staff/cases/{other}");
        Assert.Equal("Other or not sure", otherPage.QuerySelector("[data-testid=breach-organisation]")?.TextContent);
        Assert.Equal("Not given", otherPage.QuerySelector("[data-testid=region]")?.TextContent);
    }

    [Fact]
    public async Task CaseView_ShowsIndicatorsAsStaffReadThem_NotTheirStoredCodes()
    {
        var caseId = await FileAsync(ReportAnswers.Valid());
        var sealing = factory.Services.GetRequiredService<SealedIndicators>();
        CaseIndicator Indicator(IndicatorKind kind, string value, string? detail = null)
        {
            var normalised = SealedIndicators.Normalise(kind, value);
            return sealing.New(caseId, null, kind, normalised, sealing.Mac(kind, normalised), detail, DateTime.UtcNow);
        }

        await factory.QueryAsync(async db =>
        {
            db.CaseIndicators.AddRange(
                Indicator(IndicatorKind.Deadline, "24", "24 tunnin kuluessa"),
                Indicator(IndicatorKind.BitcoinAddress, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "p2wpkh"),
                Indicator(IndicatorKind.DomainSubject, "extortion.example/0123456789abcdef0123456789abcdef"),
                Indicator(IndicatorKind.SenderAddress, "ransom@extortion.example", "reply-to"),
                Indicator(IndicatorKind.Amount, "0.1", "BTC"));
            return await db.SaveChangesAsync();
        });
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);

        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");

        string Of(IndicatorKind kind) => Squeeze(page.QuerySelector($"[data-testid=indicators] li[data-kind={kind}]")?.TextContent);
        Assert.Equal("Deadline within 24 hours (the email says “24 tunnin kuluessa”)", Of(IndicatorKind.Deadline));
        Assert.Equal("Bitcoin address bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq SegWit address (P2WPKH)", Of(IndicatorKind.BitcoinAddress));
        Assert.Equal("Sending domain and subject extortion.example with the same subject (fingerprint 01234567)", Of(IndicatorKind.DomainSubject));
        Assert.Equal("Sender ransom@extortion.example in the Reply-To line", Of(IndicatorKind.SenderAddress));
        Assert.Equal("Amount 0.1 BTC", Of(IndicatorKind.Amount));
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", page.QuerySelector("[data-testid=indicators]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditTrail_DescribesSubjectsForPeople_AndStillShowsWhatItStores()
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
            await audit.AppendAsync(AuditEvent.Staff(AuditActions.ReferralOutcomeRecorded, "someone", IPAddress.Loopback, subject: RespondToReferralHandler.ReferralSubject(2), detail: "Done: SupportGiven"), CancellationToken.None);
        }

        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var page = await admin.GetPageAsync("/staff/audit?action=referral.outcome-recorded");

        var row = page.QuerySelectorAll("[data-testid=audit-row]")[0];
        var subject = row.QuerySelector("[data-testid=audit-subject]") ?? throw new InvalidOperationException("no subject cell");
        Assert.StartsWith("referral 2 · done: Support given", Squeeze(subject.TextContent), StringComparison.Ordinal);
        Assert.Equal("referral 2 Done: SupportGiven", Squeeze(subject.QuerySelector("[data-testid=audit-stored]")?.TextContent));
        Assert.Equal(IPAddress.Loopback.ToString(), row.QuerySelector("[data-testid=audit-address]")?.TextContent);
    }

    [Fact]
    public async Task RoleNames_AreInTheReadersLanguage()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        await SwitchLanguageAsync(admin, "fi");

        var users = await admin.GetPageAsync("/staff/users");
        var labels = users.QuerySelectorAll("[data-testid=user-row]")[0].QuerySelectorAll(".checkbox label").Select(l => l.TextContent).ToList();
        Assert.Equal(["Vapaaehtoinen", "Esihenkilö", "Keskusteluavun työntekijä", "Poliisi", "Ylläpitäjä"], labels);
        var invitations = await admin.GetPageAsync("/staff/invitations");
        Assert.Equal("Vapaaehtoinen", invitations.QuerySelector("label[for=invite-role-Volunteer]")?.TextContent);
        Assert.Contains("Ylläpitäjä", (await admin.GetPageAsync("/staff")).QuerySelector("[data-testid=signed-in-as]")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_AreShownInTheHelplinesZone_WithTheInstantKept()
    {
        var caseId = await FileAsync(ReportAnswers.Valid());
        var created = await factory.QueryAsync(db => db.Cases.Where(c => c.Id == caseId).Select(c => c.CreatedAt).SingleAsync());
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);

        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");

        var time = page.QuerySelector("[data-testid=case-meta] time") ?? throw new InvalidOperationException("no time");
        var helsinki = TimeZoneInfo.ConvertTimeFromUtc(created, TimeZoneInfo.FindSystemTimeZoneById("Europe/Helsinki"));
        Assert.Equal(helsinki.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), time.TextContent);
        Assert.Equal(created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), time.GetAttribute("datetime"));
        Assert.NotEqual(created.Hour, helsinki.Hour);
        Assert.DoesNotContain("UTC", page.QuerySelector("main")?.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reassignment_ProposesNobody_AsksWhy_AndKeepsTheReason()
    {
        var caseId = await FileAsync(ReportAnswers.Valid());
        var (holderId, holder) = await VolunteerAsync("Ann Holder");
        var (otherId, _) = await VolunteerAsync("Bea Other");
        var queue = await holder.GetPageAsync("/staff/queue");
        (await holder.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>())).Dispose();
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        var page = await supervisor.GetPageAsync($"/staff/cases/{caseId}");
        var select = page.QuerySelector("#reassign-to") ?? throw new InvalidOperationException("no reassignment");
        Assert.Equal("", page.Form($"/staff/cases/{caseId}/reassign").Elements.OfType<AngleSharp.Html.Dom.IHtmlSelectElement>().Single().Value);
        Assert.Null(select.QuerySelector("option[selected]:not([value=''])"));
        Assert.Equal("", select.QuerySelector("option[selected]")?.GetAttribute("value"));
        Assert.NotNull(page.QuerySelector("#reassign-reason[required]"));

        using (var noReason = await supervisor.SubmitAsync(page, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = otherId, ["reason"] = " " }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
            Assert.StartsWith("Say why", (await HtmlForms.ParseAsync(noReason)).QuerySelector("[data-testid=case-message]")?.TextContent.Trim(), StringComparison.Ordinal);
        }

        // Past the field's maxlength (a hand-made form): refused whole, never cut into the trail.
        using (var tooLong = await supervisor.SubmitAsync(page, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = otherId, ["reason"] = new string('r', ReassignCase.MaxReasonLength + 1) }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);
            Assert.StartsWith("Keep the reason to 300 characters", (await HtmlForms.ParseAsync(tooLong)).QuerySelector("[data-testid=case-message]")?.TextContent.Trim(), StringComparison.Ordinal);
        }

        using (var noOne = await supervisor.SubmitAsync(page, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["reason"] = "Ann is off sick today" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noOne.StatusCode);
        }

        Assert.Equal(holderId, await factory.QueryAsync(db => db.Cases.Where(c => c.Id == caseId).Select(c => c.ClaimedById).SingleAsync()));
        using (var moved = await supervisor.SubmitAsync(page, $"/staff/cases/{caseId}/reassign", new Dictionary<string, string?> { ["to"] = otherId, ["reason"] = "Ann is off sick today" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        }

        var entries = await factory.QueryAsync(db => db.AuditEntries.Where(e => e.CaseId == caseId && e.Action == AuditActions.CaseReassigned).OrderBy(e => e.Id).Select(e => e.Detail).ToListAsync());
        Assert.Equal($"from={holderId} to={otherId} Reassigned reason=Ann is off sick today", entries[^1]);
        Assert.Contains($"from={holderId} to={otherId} ReasonTooLong", entries);
        var timeline = (await supervisor.GetPageAsync($"/staff/cases/{caseId}")).QuerySelector("[data-testid=timeline]");
        Assert.Contains("reason: Ann is off sick today", timeline?.QuerySelector("[data-testid=timeline-reason]")?.TextContent, StringComparison.Ordinal);
    }

    private async Task<Guid> FileAsync(Dictionary<string, string?> answers)
    {
        var client = factory.CreatePortalClient();
        var form = await client.GetPageAsync("/report");
        using var response = await client.SubmitAsync(form, "/report", answers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reference = (await HtmlForms.ParseAsync(response)).QuerySelector("[data-testid=reference]")?.TextContent;
        return await factory.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
    }

    private async Task<(string Id, HttpClient Client)> VolunteerAsync(string name)
    {
        var account = await StaffAccounts.CreateAsync(factory, StaffRoles.Volunteer);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>();
            var user = await users.FindByEmailAsync(account.Email) ?? throw new InvalidOperationException("no user");
            user.DisplayName = name;
            await users.UpdateAsync(user);
        }

        var id = await factory.QueryAsync(db => db.Users.Where(u => u.Email == account.Email).Select(u => u.Id).SingleAsync());
        return (id, await StaffAccounts.SignInAsync(factory, account));
    }

    private static async Task SwitchLanguageAsync(HttpClient client, string language)
    {
        var page = await client.GetPageAsync("/staff");
        using var switched = await client.SubmitAsync(page, "/language", new Dictionary<string, string?> { ["language"] = language, ["returnUrl"] = "/staff" });
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
    }

    private static string Squeeze(string? text) => string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
