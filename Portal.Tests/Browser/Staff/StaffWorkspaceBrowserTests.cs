using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Messaging;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Staff;

/// <summary>
/// The staff workspace in Chromium on a 1280 px screen and on a phone (issue 16): a volunteer's
/// and a supervisor's work on the staff layout (the surge tools on a campaign of 500 cases), by
/// keyboard where it matters, in English, Finnish and Swedish, with axe-core reporting no
/// violation of any impact on every page they pass.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StaffWorkspaceBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Volunteer_ClaimsAndWorksACase_OnTheStaffLayout()
    {
        var victim = await fixture.NewPageAsync("en-GB");
        var reference = await BrowserFixture.FileReportAsync(victim, "An email says my therapy notes will be published.");
        await victim.ClickAsync("[data-testid=evidence-link]");
        await fixture.WaitForUrlAsync(victim, "**/status/evidence");
        await victim.SetInputFilesAsync("#file", new FilePayload { Name = "ransom.eml", MimeType = "message/rfc822", Buffer = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail()) });
        await victim.ClickAsync("form.upload-form button[type=submit]");
        await victim.WaitForSelectorAsync("[data-testid=evidence-file]");
        await victim.Context.CloseAsync();

        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Volunteer);
        var page = await fixture.NewWidePageAsync("en-GB");
        await fixture.SignInAsync(page, account);
        Assert.True(await page.Locator("header [data-testid=sign-out] button").IsVisibleAsync());
        await BrowserFixture.AssertNoViolationsAsync(page);

        // From the navigation, by keyboard, to the queue; claiming opens the case.
        await page.FocusAsync("nav[data-testid=staff-nav] a[href='/staff/queue']");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/staff/queue");
        Assert.Equal("page", await page.GetAttributeAsync("nav[data-testid=staff-nav] a[href='/staff/queue']", "aria-current"));
        await BrowserFixture.AssertNoViolationsAsync(page);
        await page.Locator($"[data-testid=queue-row][data-reference='{reference}'] button").ClickAsync();
        await fixture.WaitForUrlAsync(page, "**/staff/cases/*?claimed=1");
        Assert.StartsWith("The case is yours to work.", (await page.InnerTextAsync("[data-testid=case-message]")).Trim(), StringComparison.Ordinal);
        await BrowserFixture.AssertNoViolationsAsync(page);

        // A workspace: the answers and the evidence side by side on a 1280 px screen.
        var answers = await page.Locator("[data-testid=answers]").BoundingBoxAsync() ?? throw new InvalidOperationException("no answers");
        var evidence = await page.Locator("[data-testid=evidence-panel]").BoundingBoxAsync() ?? throw new InvalidOperationException("no evidence");
        Assert.True(evidence.X >= answers.X + answers.Width, $"evidence at x={evidence.X} is not beside the answers (x={answers.X}, width {answers.Width})");
        Assert.True(Math.Abs(evidence.Y - answers.Y) < 5, "the evidence does not start beside the answers");
        Assert.True(answers.Width + evidence.Width > 900, "the workspace does not use the screen's width");

        // A file opened with too short a reason answers at that file, not at the top of the page.
        await page.FillAsync("input[id^=reason-]", "   ab");
        await page.ClickAsync("form.open-evidence button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=reason-error]");
        Assert.Contains("#evidence-", page.Url, StringComparison.Ordinal);
        var error = await page.Locator("[data-testid=reason-error]").BoundingBoxAsync() ?? throw new InvalidOperationException("no error");
        Assert.True(error.Y >= 0 && error.Y + error.Height <= 800, $"the error is at y={error.Y}, outside the 800 px window");
        await BrowserFixture.AssertNoViolationsAsync(page);

        // A message, then a decision; the page stays accessible throughout.
        await page.FillAsync("#Body", "We have your report. Do not pay.");
        await page.ClickAsync("[data-testid=message-form] button[type=submit]");
        await fixture.WaitForUrlAsync(page, "**sent=*");
        await page.CheckAsync("#route-InformationOnly");
        await page.ClickAsync("form[action$='/decision'] button[type=submit]");
        await fixture.WaitForUrlAsync(page, "**decided=1");
        Assert.Contains("We have your report. Do not pay.", await page.InnerTextAsync("[data-testid=conversation]"), StringComparison.Ordinal);
        await BrowserFixture.AssertNoViolationsAsync(page);

        // Sign-out is on every page, the case page too.
        await page.ClickAsync("header [data-testid=sign-out] button");
        await fixture.WaitForUrlAsync(page, fixture.BaseUrl + "/");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Supervisor_AnswersACampaignOf500_ReadsStatistics_AndTheTrailFitsTheScreen()
    {
        var campaignId = await SeedCampaignAsync(500);
        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Supervisor);
        var replyTitle = "Browser surge reply " + Convert.ToHexString(RandomNumberGenerator.GetBytes(3));
        await ReplyAsync(account.Email, replyTitle);

        var page = await fixture.NewWidePageAsync("fi-FI");
        await fixture.SignInAsync(page, account);
        await page.ClickAsync("nav[data-testid=staff-nav] a[href='/staff/campaigns']");
        await fixture.WaitForUrlAsync(page, "**/staff/campaigns");
        await page.GotoAsync($"/staff/campaigns/{campaignId}");
        Assert.Equal("fi", await page.GetAttributeAsync("html", "lang"));
        await BrowserFixture.AssertNoViolationsAsync(page);

        // Answer every victim: preview first, by keyboard.
        await page.SelectOptionAsync("#surge-reply-choice", new SelectOptionValue { Label = replyTitle });
        await page.FocusAsync("#surge-reply-choice");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("[data-testid=preview]");
        Assert.Equal("500", (await page.InnerTextAsync("[data-testid=preview-total]")).Trim());
        Assert.Equal("500", (await page.InnerTextAsync("[data-testid=preview-apply]")).Trim());
        Assert.Equal("Älä maksa. Autamme sinua.", (await page.InnerTextAsync("[data-testid=preview-text-fi]")).Trim());
        await BrowserFixture.AssertNoViolationsAsync(page);

        await page.ClickAsync("[data-testid=confirm-form] button[type=submit]");
        await fixture.WaitForUrlAsync(page, $"**/staff/campaigns/{campaignId}/actions/*");
        await BrowserFixture.AssertNoViolationsAsync(page);

        // The job engine does the work in batches; the supervisor reloads the page to follow it.
        await Eventually.WaitAsync(async () =>
        {
            if (await page.GetAttributeAsync("[data-testid=action-progress]", "data-state") == "Done")
            {
                return true;
            }

            await page.ClickAsync("[data-testid=refresh]");
            await page.WaitForSelectorAsync("[data-testid=action-progress]");
            return await page.GetAttributeAsync("[data-testid=action-progress]", "data-state") == "Done";
        }, "the campaign action to finish", TimeSpan.FromSeconds(90));
        Assert.Equal("500", (await page.InnerTextAsync("[data-testid=progress-applied]")).Trim());

        // Each of the 500 cases got its own message, in its victim's language, and its own entry.
        await using (var scope = fixture.Portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var cipher = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>();
            var members = db.CampaignCases.Where(m => m.CampaignId == campaignId).Select(m => m.CaseId);
            var sent = await db.CaseMessages.Where(m => members.Contains(m.CaseId)).Join(db.Cases, m => m.CaseId, c => c.Id, (m, c) => new { c.Language, m.BodyEnvelope }).ToListAsync();
            Assert.Equal(500, sent.Count);
            Assert.All(sent, m => Assert.Equal(m.Language == "fi" ? "Älä maksa. Autamme sinua." : "Betala inte. Vi hjälper dig.", cipher.OpenString(m.BodyEnvelope)));
            Assert.Equal(500, await db.AuditEntries.CountAsync(e => e.Action == AuditActions.MessageSent && e.CaseId != null && members.Contains(e.CaseId.Value)));
        }
        await BrowserFixture.AssertNoViolationsAsync(page);

        await page.ClickAsync("nav[data-testid=staff-nav] a[href='/staff/statistics']");
        await fixture.WaitForUrlAsync(page, "**/staff/statistics");
        Assert.Equal("img", await page.GetAttributeAsync("#reports-day svg", "role"));
        await BrowserFixture.AssertNoViolationsAsync(page);
        await page.ClickAsync("a[href='/staff/statistics?by=Week']");
        await fixture.WaitForUrlAsync(page, "**by=Week");
        Assert.Equal(26, await page.Locator("[data-testid=statistics-row]").CountAsync());
        await BrowserFixture.AssertNoViolationsAsync(page);

        // The trail's every column, the address too, on the screen without scrolling sideways.
        await page.ClickAsync("nav[data-testid=staff-nav] a[href='/staff/audit']");
        await fixture.WaitForUrlAsync(page, "**/staff/audit");
        var address = await page.Locator("[data-testid=audit-row] [data-testid=audit-address]").First.BoundingBoxAsync() ?? throw new InvalidOperationException("no address cell");
        Assert.True(address.X + address.Width <= 1280, $"the address column ends at x={address.X + address.Width}, beyond 1280");
        Assert.True(await page.EvalOnSelectorAsync<bool>("[aria-labelledby=audit-caption]", "region => region.scrollWidth <= region.clientWidth"), "the trail scrolls sideways at 1280 px");
        await BrowserFixture.AssertNoViolationsAsync(page);

        await page.ClickAsync("nav[data-testid=staff-nav] a[href='/staff/dashboard']");
        await fixture.WaitForUrlAsync(page, "**/staff/dashboard");
        await BrowserFixture.AssertNoViolationsAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Admin_SeesEveryUsersDisableButton_OnA1280PixelScreen()
    {
        for (var i = 0; i < 3; i++)
        {
            await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Counsellor);
        }

        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Admin);
        var page = await fixture.NewWidePageAsync("sv-SE");
        await fixture.SignInAsync(page, account);
        await page.ClickAsync("nav[data-testid=staff-nav] a[href='/staff/users']");
        await fixture.WaitForUrlAsync(page, "**/staff/users");

        var buttons = page.Locator("[data-testid=user-row] form[action$='/disable'] button");
        Assert.True(await buttons.CountAsync() >= 4);
        foreach (var button in await buttons.AllAsync())
        {
            var box = await button.BoundingBoxAsync() ?? throw new InvalidOperationException("a Disable button is not drawn");
            Assert.True(box.X + box.Width <= 1280, $"a Disable button ends at x={box.X + box.Width}, beyond 1280");
        }

        Assert.True(await page.EvalOnSelectorAsync<bool>("[aria-labelledby=users-caption]", "region => region.scrollWidth <= region.clientWidth"), "the users' table scrolls sideways at 1280 px");
        Assert.Equal("Volontär", (await page.Locator("[data-testid=user-row] .checkbox label").First.InnerTextAsync()).Trim());
        await BrowserFixture.AssertNoViolationsAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Volunteer_OnAPhone_ReachesEveryPlace_ByKeyboard_WithoutScrollingSideways()
    {
        var victim = await fixture.NewPageAsync("sv-SE");
        var reference = await BrowserFixture.FileReportAsync(victim, "Ett mejl hotar att publicera mina anteckningar.");
        await victim.Context.CloseAsync();
        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Volunteer);
        var page = await fixture.NewPageAsync("sv-SE");
        await page.SetViewportSizeAsync(390, 844);
        await fixture.SignInAsync(page, account);
        Assert.Equal("sv", await page.GetAttributeAsync("html", "lang"));

        async Task FitsAsync()
        {
            var wider = await page.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.table-scroll, .visually-hidden')).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))");
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"), $"{page.Url} scrolls sideways at 390 px: {string.Join(", ", wider)}");
            Assert.True(await page.Locator("header [data-testid=sign-out] button").IsVisibleAsync(), $"no visible sign-out on {page.Url}");
            await BrowserFixture.AssertNoViolationsAsync(page);
        }

        await FitsAsync();

        // Tabbing from the top of the page reaches the queue link in the navigation.
        await page.Keyboard.PressAsync("Tab");
        var reached = false;
        for (var i = 0; i < 20 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<bool>("() => document.activeElement?.matches(\"nav[data-testid=staff-nav] a[href='/staff/queue']\") === true");
        }

        Assert.True(reached, "the queue link cannot be reached by Tab");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/staff/queue");
        await FitsAsync();

        await page.Locator($"[data-testid=queue-row][data-reference='{reference}'] button").ClickAsync();
        await fixture.WaitForUrlAsync(page, "**/staff/cases/*?claimed=1");
        await page.WaitForSelectorAsync("[data-testid=narrative]");
        var narrative = await page.Locator("[data-testid=narrative]").BoundingBoxAsync() ?? throw new InvalidOperationException("no narrative");
        Assert.True(narrative.Width > 250, $"the victim's account is squeezed into {narrative.Width} px on a 390 px screen");
        await FitsAsync();

        await page.ClickAsync("header [data-testid=sign-out] button");
        await fixture.WaitForUrlAsync(page, fixture.BaseUrl + "/");
        await page.Context.CloseAsync();
    }

    private async Task<Guid> SeedCampaignAsync(int count)
    {
        var wallet = "bc1q" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await using var scope = fixture.Portal.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PortalDbContext>();
        var cipher = services.GetRequiredService<EnvelopeCipher>();
        var now = fixture.Portal.Clock.GetUtcNow().UtcDateTime;
        var first = Guid.CreateVersion7();
        for (var i = 0; i < count; i++)
        {
            db.Cases.Add(new Case
            {
                Id = i == 0 ? first : Guid.CreateVersion7(),
                Reference = "VS-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(2)) + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(2)),
                ReceiptHash = RandomNumberGenerator.GetBytes(32),
                SubmissionId = Guid.NewGuid(),
                CreatedAt = now.AddHours(-i),
                UpdatedAt = now,
                Language = i % 2 == 0 ? "fi" : "sv",
                NarrativeEnvelope = cipher.SealString("Browser surge report"),
                PaymentAddress = wallet,
                ConsentPolice = true,
            });
        }

        await db.SaveChangesAsync();
        await services.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
        return await db.CampaignCases.Where(m => m.CaseId == first).Select(m => m.CampaignId).SingleAsync();
    }

    private async Task ReplyAsync(string supervisorEmail, string title)
    {
        await using var scope = fixture.Portal.Services.CreateAsyncScope();
        var id = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.Where(u => u.Email == supervisorEmail).Select(u => u.Id).SingleAsync();
        await scope.ServiceProvider.GetRequiredService<CannedResponsesHandler>().SaveAsync(
            null,
            new SaveCannedResponse { Title = title, BodyEn = "Do not pay. We help you.", BodyFi = "Älä maksa. Autamme sinua.", BodySv = "Betala inte. Vi hjälper dig." },
            Actor.Staff(id, IPAddress.Loopback),
            CancellationToken.None);
    }
}
