using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Jobs;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Staff;

/// <summary>The admin jobs page in Chromium, by keyboard: pause and resume a recurring job, retry a failed one; axe-checked.</summary>
[Collection(BrowserCollection.Name)]
public sealed class JobsPageBrowserTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Admin_PausesResumesAndRetries_ByKeyboard_AndThePageIsAccessible()
    {
        long failureId;
        await using (var scope = fixture.Portal.Services.CreateAsyncScope())
        {
            var failure = await scope.ServiceProvider.GetRequiredService<JobFailuresHandler>()
                .RecordAsync(new FailedJob("recurring.daily-digest", null, 6, new EmailDeliveryException("Failure sending mail.")), CancellationToken.None);
            failureId = failure.Id;
        }

        var account = await StaffAccounts.CreateAsync(fixture.Portal, StaffRoles.Admin);
        var page = await fixture.NewPageAsync("en-GB");
        await fixture.SignInAsync(page, account);

        await page.ClickAsync("a[href='/admin/jobs']");
        await fixture.WaitForUrlAsync(page, "**/admin/jobs");
        const string alert = "[data-testid=recurring-job][data-key='recurring.urgent-unclaimed-alert']";
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$", (await page.InnerTextAsync($"{alert} [data-testid=next-run]")).Trim());
        Assert.Contains("EmailDeliveryException", await page.InnerTextAsync($"[data-testid=job-failure][data-id='{failureId}']"));
        await BrowserFixture.AssertAccessibleAsync(page);

        // Pausing asks first, on a page of its own, also answered by keyboard.
        await page.FocusAsync($"{alert} [data-testid=pause]");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/admin/jobs/recurring/recurring.urgent-unclaimed-alert/pause");
        await BrowserFixture.AssertNoViolationsAsync(page);
        await page.FocusAsync("[data-testid=confirm-pause] button[type=submit]");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/admin/jobs?done=paused");
        Assert.Equal("Paused", await page.GetAttributeAsync(alert, "data-state"));
        await BrowserFixture.AssertAccessibleAsync(page);

        await page.FocusAsync($"{alert} button");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/admin/jobs?done=resumed");
        Assert.NotEqual("Paused", await page.GetAttributeAsync(alert, "data-state"));

        await page.FocusAsync($"[data-testid=job-failure][data-id='{failureId}'] button");
        await page.Keyboard.PressAsync("Enter");
        await fixture.WaitForUrlAsync(page, "**/admin/jobs?done=retried");
        Assert.Equal("True", await page.GetAttributeAsync($"[data-testid=job-failure][data-id='{failureId}']", "data-resolved"));
        await BrowserFixture.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();

        await using var check = fixture.Portal.Services.CreateAsyncScope();
        var actions = await check.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries
            .Where(e => e.Action.StartsWith("job.")).Select(e => e.Action).ToListAsync();
        Assert.Contains("job.paused", actions);
        Assert.Contains("job.resumed", actions);
        Assert.Contains("job.retried", actions);
    }
}
