using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Support;

namespace Portal.Tests.Browser.Victim;

/// <summary>
/// The portal as a victim meets it, in Chromium: the demo banner on (axe checks it too), the demo
/// case to open, and quick exit sending the browser to a neutral site that the test answers itself
/// (nothing leaves the machine). Phone (390×844, touch) or desktop, JavaScript on or off.
/// </summary>
public sealed class VictimBrowserFixture : IAsyncLifetime
{
    /// <summary>Where quick exit sends the browser: a page this fixture serves on loopback (Playwright does not route redirects).</summary>
    public static readonly string NeutralSite = NeutralSiteServer.Address;
    public const string DemoReference = "VS-DEM0-2026";
    public const string DemoKey = "DEM0-DEM0-DEM0-DEM0-DEM0-2026";

    private readonly DemoPortalFactory factory = new();
    private IPlaywright? playwright;
    private IBrowser? browser;

    public PortalFactory Portal => factory;

    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        NeutralSiteServer.Start();
        await ((IAsyncLifetime)factory).InitializeAsync();
        BaseUrl = factory.StartOnKestrel().ToString().TrimEnd('/');
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("PORTAL_CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
        NeutralSiteServer.Stop();
        await ((IAsyncLifetime)factory).DisposeAsync();
    }

    /// <summary>A fresh browser profile: a phone (390×844, touch) or a desktop, with or without JavaScript.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-GB", bool phone = false, bool javaScript = true)
    {
        var context = await (browser ?? throw new InvalidOperationException("The browser has not started.")).NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = locale,
            JavaScriptEnabled = javaScript,
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
        });
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return await context.NewPageAsync();
    }

    /// <summary>Opens the demo case in this browser, by keyboard: reference, key, Enter.</summary>
    public async Task OpenDemoCaseAsync(IPage page)
    {
        await page.GotoAsync("/status/open");
        await page.FillAsync("#Reference", DemoReference);
        await page.FillAsync("#ReceiptKey", DemoKey);
        await page.Keyboard.PressAsync("Enter");
        await WaitForUrlAsync(page, "**/status");
    }

    /// <summary>A staff member signs in: email, password, Enter; the authenticator's code, Enter.</summary>
    public async Task SignInAsync(IPage page, StaffAccount account)
    {
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("#Email", account.Email);
        await page.FillAsync("#Password", StaffAccounts.Password);
        await page.Keyboard.PressAsync("Enter");
        await WaitForUrlAsync(page, "**/account/sign-in/code");
        await page.FillAsync("#Code", account.CodeAt(factory.Clock.GetUtcNow()));
        await page.Keyboard.PressAsync("Enter");
        await WaitForUrlAsync(page, "**/staff");
    }

    /// <summary>Files a report on the one-page form and stays on its receipt; returns reference and key.</summary>
    public async Task<(string Reference, string Key)> FileReportAsync(IPage page, bool selfHarm = false, string? email = null, string? region = null, bool policeConsent = false)
    {
        await page.GotoAsync("/report/all");
        if (region is not null)
        {
            await page.SelectOptionAsync("#Region", region);
        }

        if (policeConsent)
        {
            await page.CheckAsync("#ConsentPolice");
        }

        await page.FillAsync("#WhatHappened", "An email demanded bitcoin or my therapy notes would be published.");
        await page.CheckAsync(selfHarm ? "#RiskSelfHarm" : "#RiskSelfHarm-no");
        await page.CheckAsync("#RiskImmediateDanger-no");
        await page.CheckAsync("#Paid");
        await page.CheckAsync("#DataPublished");
        if (email is null)
        {
            await page.CheckAsync("#ContactPreference");
        }
        else
        {
            await page.CheckAsync("#ContactPreference-Email");
            await page.FillAsync("#ContactEmail", email);
        }

        await page.ClickAsync("form.report-form button[type=submit]");
        await page.WaitForSelectorAsync("[data-testid=receipt-key]");
        return ((await page.InnerTextAsync("[data-testid=reference]")).Trim(), (await page.InnerTextAsync("[data-testid=receipt-key]")).Trim());
    }

    /// <summary>
    /// Moves focus by Tab (Shift+Tab when <paramref name="backwards"/>), as a keyboard user does,
    /// until it is on <paramref name="selector"/>; fails after <paramref name="limit"/> presses.
    /// </summary>
    public static async Task TabToAsync(IPage page, string selector, int limit = 60, bool backwards = false)
    {
        var target = page.Locator(selector).First;
        for (var i = 0; i < limit; i++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
        }

        Assert.Fail($"{selector} was not reached with {limit} presses of Tab on {page.Url}");
    }

    public async Task WaitForUrlAsync(IPage page, string glob)
    {
        if (!await PageAddress.WaitForAsync(page, glob, TimeSpan.FromSeconds(60)))
        {
            var logs = factory.Logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)).TakeLast(15);
            Assert.Fail($"expected {glob} but the page is at {page.Url} (document {await PageAddress.ReadyStateAsync(page)}); the portal logged:\n{string.Join("\n", logs)}");
        }
    }

    /// <summary>axe-core on the page under its own CSP: no violation of any impact (public pages, issue 15).</summary>
    public static async Task AssertNoViolationsAsync(IPage page)
    {
        var result = await page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        var violations = result.Violations
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(5).Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(violations.Count == 0, $"axe-core found violations on {page.Url} ({await page.GetAttributeAsync("html", "lang")}):\n{string.Join("\n", violations)}");
    }

    /// <summary>The portal on Kestrel over plain HTTP on loopback, with the demo (banner and case) on.</summary>
    private sealed class DemoPortalFactory : SqlitePortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("Security:HttpsCookies", "false"),
            new("Demo:Enabled", "true"),
            new("Portal:QuickExitUrl", NeutralSite),
        ];
    }
}

/// <summary>A neutral page on loopback ("localhost", another site than the portal's 127.0.0.1) for quick exit to land on.</summary>
internal static class NeutralSiteServer
{
    private static readonly int Port = FreePort();
    private static System.Net.HttpListener? listener;
    private static int answered;

    /// <summary>How many requests the neutral site has answered (to tell a lost exit from a slow one).</summary>
    public static int Answered => Volatile.Read(ref answered);

    public static string Address => $"http://localhost:{Port}/";

    public static void Start()
    {
        listener = new System.Net.HttpListener();
        listener.Prefixes.Add(Address);
        listener.Start();
        _ = Task.Run(async () =>
        {
            var body = System.Text.Encoding.UTF8.GetBytes("<!DOCTYPE html><html lang=\"en\"><head><title>Search</title></head><body><h1>Search</h1></body></html>");
            while (listener is { IsListening: true } running)
            {
                System.Net.HttpListenerContext context;
                try
                {
                    context = await running.GetContextAsync();
                }
                catch (Exception exception) when (exception is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                // Each answer on its own: a request the browser gives up on (Back pressed at once)
                // must not stop the loop and leave later exits hanging.
                _ = AnswerAsync(context, body);
            }
        });
    }

    private static async Task AnswerAsync(System.Net.HttpListenerContext context, byte[] body)
    {
        try
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
            Interlocked.Increment(ref answered);
        }
        catch (Exception exception) when (exception is System.Net.HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            context.Response.Abort();
        }
    }

    public static void Stop()
    {
        listener?.Stop();
        listener?.Close();
    }

    private static int FreePort()
    {
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VictimBrowserCollection : ICollectionFixture<VictimBrowserFixture>
{
    public const string Name = "victim-browser";
}
