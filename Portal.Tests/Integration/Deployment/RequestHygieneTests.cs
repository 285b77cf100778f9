using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Deployment;

/// <summary>
/// Requests a client gets wrong, on Kestrel (a real socket): it checks response headers as the
/// in-memory test server does not, and times out slow bodies.
/// </summary>
public sealed class RequestHygieneTests(KestrelPortalFactory factory) : IClassFixture<KestrelPortalFactory>
{
    private HttpClient Client(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = factory.Address };

    /// <summary>
    /// appsettings.json keeps the framework at Warning for operators; the tests' log capture must
    /// still see everything, or the canary checks (nothing a victim typed in any log line) would
    /// pass without looking at the framework's lines.
    /// </summary>
    [Fact]
    public async Task TestLogCapture_SeesTheFrameworkBeneathTheOperatorsLevels()
    {
        using var client = Client();
        using var response = await client.GetAsync("/report");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(factory.Logs.Lines, l => l.StartsWith("Debug Microsoft.AspNetCore.", StringComparison.Ordinal));
        Assert.Contains(factory.Logs.Lines, l => l.StartsWith("Information Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/css/missing.css")]
    [InlineData("/js/missing.js")]
    [InlineData("/img/missing.png")]
    [InlineData("/css/deeper/missing.css")]
    public async Task MissingStaticFile_Is404_NotCachedPublicly_AndSetsNoCookie(string path)
    {
        using var client = Client();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.False(response.Headers.CacheControl?.Public, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.False(response.Headers.Contains("Set-Cookie"), string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var c) ? c : []));
    }

    [Fact]
    public async Task StaticFileThatExists_IsCachedPublicly()
    {
        using var client = Client();

        using var response = await client.GetAsync("/css/site.css");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Head_Home_AnswersAsGetWould_WithoutABody()
    {
        using var client = Client();
        using var get = await client.GetAsync("/");

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(get.Headers.CacheControl?.NoStore, head.Headers.CacheControl?.NoStore);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/guidance?topic=äänitys", "/guidance?topic=%C3%A4%C3%A4nitys")]
    [InlineData("/status/open?ref=Å x", "/status/open?ref=%C3%85%20x")]
    [InlineData("/\t/evil.example", "/")]
    public async Task Language_WithANonAsciiReturnUrl_RedirectsThere_Encoded_OrHomeIfNotLocal(string returnUrl, string expected)
    {
        var cookies = new CookieContainer();
        using var client = Client(cookies);
        var page = await client.GetPageAsync("/");

        using var response = await client.SubmitAsync(page, "/language", new Dictionary<string, string?> { ["language"] = "fi", ["returnUrl"] = returnUrl });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location?.OriginalString);
        Assert.Contains("portal-lang", cookies.GetCookieHeader(factory.Address), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithANonAsciiReturnUrl_SignsInAndGoesThere_AsTheAuditSays()
    {
        var account = await StaffAccounts.CreateAsync(factory, "Volunteer", twoFactor: false);
        var cookies = new CookieContainer();
        using var client = Client(cookies);
        var page = await client.GetPageAsync("/account/sign-in");

        using var response = await client.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?>
        {
            ["Email"] = account.Email,
            ["Password"] = StaffAccounts.Password,
            ["ReturnUrl"] = "/staff/ärende",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/staff/%C3%A4rende", response.Headers.Location?.OriginalString);
        Assert.Contains("portal-staff", cookies.GetCookieHeader(factory.Address), StringComparison.Ordinal);
        using (var staffPage = await client.GetAsync("/staff"))
        {
            // Signed in: sent to enrol an authenticator (required outside Development), not back to sign-in.
            Assert.Equal(HttpStatusCode.Redirect, staffPage.StatusCode);
            Assert.StartsWith("/account/two-factor", staffPage.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var userId = await db.Users.Where(u => u.Email == account.Email).Select(u => u.Id).SingleAsync();
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == AuditActions.StaffSignIn && e.ActorId == userId));
    }

    [Fact]
    public async Task SignInCode_WithANonAsciiReturnUrl_GoesThere_Encoded()
    {
        var account = await StaffAccounts.CreateAsync(factory, "Volunteer");
        using var client = Client();
        var page = await client.GetPageAsync("/account/sign-in");
        using (var password = await client.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?>
        {
            ["Email"] = account.Email,
            ["Password"] = StaffAccounts.Password,
            ["ReturnUrl"] = "/staff/ärende",
        }))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
            Assert.StartsWith("/account/sign-in/code?returnUrl=", password.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        var codePage = await client.GetPageAsync("/account/sign-in/code?returnUrl=" + Uri.EscapeDataString("/staff/ärende"));
        using var code = await client.SubmitAsync(codePage, "/account/sign-in/code", new Dictionary<string, string?> { ["Code"] = account.CodeAt(factory.Clock.GetUtcNow()) });

        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
        Assert.Equal("/staff/%C3%A4rende", code.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Upload_BodyShorterThanItsContentLength_FinishesAsAClientError_StoringNothing()
    {
        var cookies = new CookieContainer();
        using var client = Client(cookies);
        var form = await client.GetPageAsync("/report");
        using (var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var token = EvidenceUploads.Token(await EvidenceUploads.PageAsync(client));
        var boundary = "----short";
        var body = $"--{boundary}\r\nContent-Disposition: form-data; name=\"__af\"\r\n\r\n{token}\r\n"
            + $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"short.eml\"\r\nContent-Type: message/rfc822\r\n\r\n"
            + EvidenceUploads.SampleEmail();

        // The client says the body is longer than it is, and stops sending. Nothing can be sent
        // back over a half-closed HTTP/1.1 connection, so the status the request finished with is
        // what counts; a client that stays open gets the 408 of the slow-upload test below.
        var before = FinishedCount("POST", "/status/evidence");
        await SendRawAsync(
            $"POST /status/evidence HTTP/1.1\r\nHost: {factory.Address.Authority}\r\nCookie: {cookies.GetCookieHeader(factory.Address)}\r\n"
            + $"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body) + 5000}\r\n\r\n" + body,
            halfClose: true);

        // 400 (the body ended early) or 499 (Kestrel saw the client leave first), never a 5xx.
        Assert.InRange(await FinishedStatusAsync("POST", "/status/evidence", before), 400, 499);
        using (var page = await client.GetAsync("/status/evidence"))
        {
            Assert.DoesNotContain("short.eml", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        AssertNoUnhandledException();
    }

    [Fact]
    public async Task Upload_EndingBeforeItsClosingBoundary_Is400_StoringNothing()
    {
        var cookies = new CookieContainer();
        using var client = Client(cookies);
        var form = await client.GetPageAsync("/report");
        using (var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var token = EvidenceUploads.Token(await EvidenceUploads.PageAsync(client));
        var boundary = "----cut";
        foreach (var body in new[]
        {
            // Cut inside the file, and inside the antiforgery field.
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"__af\"\r\n\r\n{token}\r\n"
                + $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.eml\"\r\nContent-Type: message/rfc822\r\n\r\n"
                + EvidenceUploads.SampleEmail(),
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"__af\"\r\n\r\n{token[..10]}",
        })
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");

            using var response = await client.PostAsync("/status/evidence", content);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var page = await client.GetAsync("/status/evidence"))
        {
            Assert.DoesNotContain("cut.eml", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        AssertNoUnhandledException();
    }

    [Fact]
    public async Task Form_BodyShorterThanItsContentLength_FinishesAs400()
    {
        var before = FinishedCount("POST", "/status/open");
        await SendRawAsync(
            $"POST /status/open HTTP/1.1\r\nHost: {factory.Address.Authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\nReference=VS-",
            halfClose: true);

        Assert.Equal(400, await FinishedStatusAsync("POST", "/status/open", before));
        AssertNoUnhandledException();
    }

    [Fact]
    public async Task SlowUpload_TimesOut_WithA408_AndNoStackTraceInTheLog()
    {
        var cookies = new CookieContainer();
        using var client = Client(cookies);
        var form = await client.GetPageAsync("/report");
        using (var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid()))
        {
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        }

        var token = EvidenceUploads.Token(await EvidenceUploads.PageAsync(client));
        var boundary = "----slow";
        var head = $"--{boundary}\r\nContent-Disposition: form-data; name=\"__af\"\r\n\r\n{token}\r\n"
            + $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.eml\"\r\nContent-Type: message/rfc822\r\n\r\n";

        // Kestrel's minimum body rate (240 bytes/s after a 5 s grace period) ends this upload.
        var status = await SendRawAsync(
            $"POST /status/evidence HTTP/1.1\r\nHost: {factory.Address.Authority}\r\nCookie: {cookies.GetCookieHeader(factory.Address)}\r\n"
            + $"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {Encoding.UTF8.GetByteCount(head) + 100_000}\r\n\r\n" + head,
            halfClose: false);

        Assert.Equal(408, status);
        AssertNoUnhandledException();
    }

    [Theory]
    [InlineData("GET /guidance HTTP/1.1\r\nHost: 127.0.0.1:99999\r\nConnection: close\r\n\r\n")]
    [InlineData("GET /report HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n")]
    [InlineData("GET /guidance HTTP/1.0\r\n\r\n")]
    public async Task Page_WithAHostThatMakesNoAddress_Is400_NotAServerError(string request)
    {
        Assert.Equal(400, await SendRawAsync(request, halfClose: false));
        AssertNoUnhandledException();
    }

    [Fact]
    public async Task Page_WithAnotherNameAndPortAsHost_IsServed()
    {
        Assert.Equal(200, await SendRawAsync("GET /guidance HTTP/1.1\r\nHost: portal.example.org:8443\r\nConnection: close\r\n\r\n", halfClose: false));
    }

    [Fact]
    public async Task HealthCheck_WithoutAHost_AnswersALoadBalancersProbe()
    {
        Assert.Equal(200, await SendRawAsync("GET /health/live HTTP/1.0\r\n\r\n", halfClose: false));
    }

    /// <summary>Sends raw bytes, optionally ends the sending side, and returns the status code of the answer, if one came.</summary>
    private async Task<int?> SendRawAsync(string request, bool halfClose)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(factory.Address.Host, factory.Address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        await stream.FlushAsync();
        if (halfClose)
        {
            socket.Client.Shutdown(SocketShutdown.Send);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            while (received.ToArray().AsSpan().IndexOf("\r\n"u8) < 0)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (halfClose)
        {
            // Reset by the server, which took the half-close for the client leaving.
        }

        var statusLine = Encoding.ASCII.GetString(received.ToArray()).Split("\r\n")[0];
        return (statusLine.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || statusLine.StartsWith("HTTP/1.0 ", StringComparison.Ordinal))
            ? int.Parse(statusLine.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>The status of the latest request to <paramref name="path"/>, once there is one more than <paramref name="before"/>.</summary>
    private async Task<int> FinishedStatusAsync(string method, string path, int before)
    {
        var matching = () => factory.Finished.Where(f => f.Method == method && f.Path == path).ToList();
        await Eventually.WaitAsync(() => Task.FromResult(matching().Count > before), $"{method} {path} to finish");
        return matching()[^1].Status;
    }

    private int FinishedCount(string method, string path) => factory.Finished.Count(f => f.Method == method && f.Path == path);

    private void AssertNoUnhandledException()
    {
        var unhandled = factory.Logs.Lines.Where(UnhandledExceptionLog.IsUnhandled).ToList();
        Assert.True(unhandled.Count == 0, string.Join("\n", unhandled));
    }
}
