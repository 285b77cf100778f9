using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Messaging;

/// <summary>
/// The volunteer's journey in Chromium: sign in with two factors, claim the urgent case from the
/// urgent-only queue, start a message from a prepared reply by keyboard, read the victim's answer
/// (written in Swedish on the receipt page) and route the case; every page checked with axe.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MessagingBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Volunteer_SignsInWithTwoFactor_ClaimsTheUrgentCase_MessagesTheVictim_AndRoutesIt()
    {
        var victim = await fixture.NewPageAsync("sv-SE");
        var reference = await BrowserFixture.FileReportAsync(victim, "Ett mejl krävde pengar.", immediateDanger: true, more: page => page.CheckAsync("#ConsentPolice"));

        var title = $"Betala inte {Guid.NewGuid():N}"[..30];
        await using (var scope = fixture.Portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.CannedResponses.Add(new CannedResponse { Title = title, BodyEn = "Please do not pay.", BodyFi = "Älä maksa.", BodySv = "Betala inte. Vi hjälper dig.", UpdatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        // A supervisor's pages for prepared replies, checked with axe.
        var supervisorAccount = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Supervisor);
        var supervisor = await fixture.NewPageAsync("en-GB");
        await fixture.SignInAsync(supervisor, supervisorAccount);
        await supervisor.GotoAsync("/staff/canned-responses");
        await BrowserFixture.AssertAccessibleAsync(supervisor);
        await supervisor.GotoAsync("/staff/canned-responses/new");
        await BrowserFixture.AssertAccessibleAsync(supervisor);
        await supervisor.Context.CloseAsync();

        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Volunteer);
        var staff = await fixture.NewPageAsync("en-GB");
        await fixture.SignInAsync(staff, account);

        await staff.GotoAsync("/staff/queue");
        await staff.SelectOptionAsync("#priority", "Urgent");
        await staff.ClickAsync("form.filters button[type=submit]");
        await fixture.WaitForUrlAsync(staff, "**priority=Urgent*");
        Assert.Equal(1, await staff.Locator($"[data-testid=queue-row][data-reference='{reference}']").CountAsync());
        await BrowserFixture.AssertAccessibleAsync(staff);
        await staff.Locator($"[data-testid=queue-row][data-reference='{reference}'] button").ClickAsync();
        await fixture.WaitForUrlAsync(staff, "**/staff/cases/*?claimed=1");
        await staff.WaitForSelectorAsync("[data-testid=message-form]");

        // The prepared reply, chosen by keyboard, fills the message in the victim's language.
        await staff.FocusAsync("#canned");
        await staff.SelectOptionAsync("#canned", new[] { new Microsoft.Playwright.SelectOptionValue { Label = title } });
        await staff.Keyboard.PressAsync("Tab");
        await staff.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(staff, "**canned=*");
        Assert.Equal("Betala inte. Vi hjälper dig.", await staff.InputValueAsync("#Body"));
        await staff.FocusAsync("#Body");
        await staff.Keyboard.PressAsync("End");
        await staff.Keyboard.TypeAsync(" Svara här när du vill.");
        await staff.ClickAsync("[data-testid=message-form] button[type=submit]");
        await fixture.WaitForUrlAsync(staff, "**sent=1#messages");
        Assert.Contains("Svara här när du vill.", await staff.InnerTextAsync("[data-testid=conversation]"), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(staff);

        await victim.GotoAsync("/status");
        Assert.Equal("sv", await victim.GetAttributeAsync("html", "lang"));
        Assert.Contains("Betala inte. Vi hjälper dig. Svara här när du vill.", await victim.InnerTextAsync("[data-testid=conversation]"), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(victim);

        // An empty reply is refused at the field, then a real one is sent.
        await victim.ClickAsync("[data-testid=reply-form] button[type=submit]");
        await victim.WaitForSelectorAsync("#Body-error");
        await BrowserFixture.AssertAccessibleAsync(victim);
        await victim.FillAsync("#Body", "Tack, jag har sparat mejlen.");
        await victim.FocusAsync("#Body");
        await victim.Keyboard.PressAsync("Tab");
        await victim.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(victim, "**/status?sent=1#messages");
        Assert.Contains("Tack, jag har sparat mejlen.", await victim.InnerTextAsync("[data-testid=conversation]"), StringComparison.Ordinal);

        await staff.ReloadAsync();
        Assert.Contains("Tack, jag har sparat mejlen.", await staff.InnerTextAsync("[data-testid=conversation]"), StringComparison.Ordinal);

        // The victim agreed to police: the volunteer routes the case there.
        await staff.CheckAsync("input[name=route][value=Police]");
        await staff.FocusAsync("#decision-reason");
        await staff.Keyboard.TypeAsync("Victim asked for a police report");
        await staff.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(staff, "**decided=1");
        Assert.Contains("Passed on", await staff.InnerTextAsync("main"), StringComparison.Ordinal);
        await BrowserFixture.AssertAccessibleAsync(staff);
        await victim.Context.CloseAsync();
        await staff.Context.CloseAsync();
    }
}
