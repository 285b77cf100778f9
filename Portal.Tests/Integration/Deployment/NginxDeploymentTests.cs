using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Portal.Core.Features.Accounts;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Deployment;

/// <summary>
/// The deployment as shipped: the published portal started with the settings of
/// infra/deploy/portal.service (migrated and given its first admin with the operator verbs, as the
/// README says), behind Debian's nginx running infra/deploy/portal.nginx.conf with a throwaway
/// certificate, both on loopback. Only ports and file paths in those files are changed. infra/test
/// installs nginx and exports where it is and a directory its cleanup watches.
/// </summary>
[Collection(PublishedPortalCollection.Name)]
public sealed partial class NginxDeploymentTests(PublishedPortal published)
{
    public const string NginxVariable = "PORTAL_TEST_NGINX";
    public const string WorkVariable = "PORTAL_TEST_DEPLOY_WORK";

    /// <summary>The site's name in infra/deploy/portal.nginx.conf, kept as shipped.</summary>
    private const string SiteName = "portal.example.org";

    private const string AdminEmail = "admin@portal.example.org";
    private const string AdminPassword = "Deploy-Test-Password-2026";

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the tests through infra/test, which installs nginx for the deployment lane.");

    [Fact]
    public async Task SystemdUnit_IsValid_AndRunsThePublishedAppInProductionBehindTheProxy()
    {
        var unit = await File.ReadAllTextAsync(RepositoryFiles.PathOf("infra", "deploy", "portal.service"));
        var environment = UnitEnvironment(unit);

        Assert.Equal("Production", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("http://127.0.0.1:5080", environment["ASPNETCORE_URLS"]);
        Assert.Equal("true", environment["ForwardedHeaders__Enabled"]);
        Assert.Equal("false", environment["Database__MigrateOnStart"]);
        Assert.Matches(@"(?m)^ExecStart=/usr/bin/dotnet /opt/portal/app/Portal\.Web\.dll$", unit);

        // systemd's own check: syntax, known directives, an executable ExecStart.
        var copy = Path.Combine(TestDatabases.NewTempDirectory(), "portal.service");
        var dotnet = File.Exists("/usr/bin/dotnet") ? "/usr/bin/dotnet" : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "/usr/bin/dotnet";
        await File.WriteAllTextAsync(copy, unit.Replace("/usr/bin/dotnet", dotnet, StringComparison.Ordinal));
        var (exitCode, output) = await PublishedPortal.RunAsync(Required("PORTAL_TEST_SYSTEMD_ANALYZE"), ["verify", copy], Path.GetDirectoryName(copy) ?? "/", new Dictionary<string, string?>(), null);
        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"systemd-analyze verify: {output}");
    }

    [Fact]
    public async Task Deployed_AsShipped_TakesAReportUploadsADocumentAndATwoFactorSignIn_AndServesTheCaseFile_OverTls()
    {
        var work = Path.Combine(Required(WorkVariable), Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            await WalkAsync(work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task WalkAsync(string work)
    {
        var nginx = Required(NginxVariable);
        using var installation = new ThrowawayInstallation();
        var (httpPort, httpsPort, portalPort) = (FreePort(), FreePort(), FreePort());

        // The unit's settings, with its paths and port moved into this test's directories.
        var unit = await File.ReadAllTextAsync(RepositoryFiles.PathOf("infra", "deploy", "portal.service"));
        var settings = UnitEnvironment(unit).Select(e => new KeyValuePair<string, string?>(e.Key, e.Value
            .Replace("127.0.0.1:5080", $"127.0.0.1:{portalPort}", StringComparison.Ordinal)
            .Replace("/var/lib/portal", installation.DataDirectory, StringComparison.Ordinal)
            .Replace("/etc/portal/keys", installation.KeysDirectory, StringComparison.Ordinal))).ToList();
        var dataDirectory = Regex.Match(unit, "(?m)^WorkingDirectory=(.+)$").Groups[1].Value.Replace("/var/lib/portal", installation.DataDirectory, StringComparison.Ordinal);

        // The operator's steps from the README: migrate, then the first admin.
        var migrated = await published.RunVerbAsync(dataDirectory, settings, null, "migrate");
        Assert.True(migrated.ExitCode == 0, migrated.Output);
        var admin = await published.RunVerbAsync(dataDirectory, settings, AdminPassword + "\n", "create-admin", "--email", AdminEmail, "--password-stdin");
        Assert.True(admin.ExitCode == 0, admin.Output);

        var (certificate, thumbprint) = await ThrowawayCertificateAsync(work);
        await using var portal = await published.StartAsync(dataDirectory, settings);
        Assert.Equal(new Uri($"http://127.0.0.1:{portalPort}"), portal.Address);
        await using var proxy = await NginxProcess.StartAsync(nginx, work, await SiteAsync(work, certificate, httpPort, httpsPort, portalPort), [httpPort, httpsPort]);

        // Plain HTTP is sent to HTTPS by nginx; a name other than the site's gets no answer.
        using (var plain = Client(new Uri($"http://{SiteName}:{httpPort}"), null, null))
        using (var redirect = await plain.GetAsync("/report?lang=fi"))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.Equal(new Uri($"https://{SiteName}:{httpsPort}/report?lang=fi"), redirect.Headers.Location);
        }

        using (var other = Client(new Uri($"http://127.0.0.1:{httpPort}"), null, null))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => other.GetAsync("/report"));
        }

        var site = new Uri($"https://{SiteName}:{httpsPort}");
        using var client = Client(site, new CookieContainer(), thumbprint);

        // A victim files a report: HSTS from nginx, the portal's headers, __Host- cookies over TLS.
        string reference;
        string receiptKey;
        using (var reportPage = await client.GetAsync("/report"))
        {
            Assert.Equal(HttpStatusCode.OK, reportPage.StatusCode);
            Assert.Equal("max-age=31536000; includeSubDomains", Assert.Single(reportPage.Headers.GetValues("Strict-Transport-Security")));
            Assert.StartsWith("default-src 'none'", Assert.Single(reportPage.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.False(reportPage.Headers.Contains("Server") && string.Join("", reportPage.Headers.GetValues("Server")).Contains('/', StringComparison.Ordinal), "nginx names its version");
            var setCookies = reportPage.Headers.GetValues("Set-Cookie").ToList();
            Assert.NotEmpty(setCookies);
            Assert.All(setCookies, c =>
            {
                Assert.StartsWith("__Host-", c, StringComparison.Ordinal);
                Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase);
            });
            var form = await HtmlForms.ParseAsync(reportPage);
            using var submitted = await client.SubmitAsync(form, "/report", ReportAnswers.Valid("Deployment check: the email threatened to publish my therapy notes."));
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
            var receipt = await HtmlForms.ParseAsync(submitted);
            reference = receipt.QuerySelector("[data-testid=reference]")?.TextContent.Trim() ?? "";
            receiptKey = receipt.QuerySelector("[data-testid=receipt-key]")?.TextContent.Trim() ?? "";
            Assert.StartsWith("VS-", reference, StringComparison.Ordinal);
            Assert.NotEmpty(receiptKey);
        }

        // ...and uploads evidence: 3 MiB, streamed through nginx (no request buffering) to the portal.
        var evidence = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Pay 0.2 BTC within 48 hours.\r\n" + string.Concat(Enumerable.Repeat("Deployment check padding line.\r\n", 100_000))));
        var token = EvidenceUploads.Token(await EvidenceUploads.PageAsync(client));
        using (var uploaded = await EvidenceUploads.UploadAsync(client, token, "extortion.eml", "message/rfc822", evidence))
        {
            Assert.True(uploaded.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther, $"upload answered {(int)uploaded.StatusCode}");
        }

        var evidencePage = await EvidenceUploads.PageAsync(client);
        Assert.Contains(evidencePage.QuerySelectorAll("[data-testid=evidence-sha256]"), e => e.TextContent.Trim() == Convert.ToHexStringLower(SHA256.HashData(evidence)));

        // ...keeps a scanned receipt of 3 MiB in "my documents": above nginx's 1 MiB default for
        // forms, streamed like evidence...
        var receiptScan = ScannedReceipt(3 * 1024 * 1024);
        using (var document = await CaseFileSteps.UploadDocumentAsync(client, "kuitti-terapia.pdf", "application/pdf", receiptScan))
        {
            Assert.True(document.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.SeeOther, $"document upload answered {(int)document.StatusCode}: {await document.Content.ReadAsStringAsync()}");
            Assert.StartsWith("/status/documents?added=", document.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        // ...and downloads the case file with the receipt key: the whole ZIP, streamed through
        // nginx, with every file in it and a SHA256SUMS that sha256sum -c accepts.
        using (var caseFile = await CaseFileSteps.DownloadAsync(client, receiptKey))
        {
            Assert.Equal(HttpStatusCode.OK, caseFile.StatusCode);
            Assert.Equal("application/zip", caseFile.Content.Headers.ContentType?.MediaType);
            var zip = await caseFile.Content.ReadAsByteArrayAsync();
            Assert.True(zip.Length > evidence.Length + receiptScan.Length, $"a case file of {zip.Length} bytes holds less than its two files");
            var extracted = await CaseFileSteps.UnzipAsync(zip);
            var check = await BundleDownloads.RunAsync("/usr/bin/sha256sum", extracted, "--strict", "-c", "SHA256SUMS");
            Assert.True(check.ExitCode == 0, check.Output + check.Errors);
            Assert.Equal(3, Regex.Count(check.Output, ": OK$", RegexOptions.Multiline));
            Assert.Equal(receiptScan, await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(Path.Combine(extracted, "documents")))));
            Assert.Equal(evidence, await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(Path.Combine(extracted, "evidence")))));
            Assert.True(File.Exists(Path.Combine(extracted, $"case-file-{reference}.pdf")), "the case file has no PDF");
        }

        // The first admin signs in, enrols an authenticator, and signs in again with both factors.
        using var staff = Client(site, new CookieContainer(), thumbprint);
        await SignInWithPasswordAsync(staff, expectCode: false);
        using (var sent = await staff.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
            Assert.Equal("/account/two-factor", sent.Headers.Location?.OriginalString);
        }

        var key = await EnrolAsync(staff);
        using (var signOutPage = await staff.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.OK, signOutPage.StatusCode);
            using var signedOut = await staff.SubmitAsync(await HtmlForms.ParseAsync(signOutPage), "/account/sign-out", new Dictionary<string, string?>());
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        }

        await SignInWithPasswordAsync(staff, expectCode: true);
        var codePage = await staff.GetPageAsync("/account/sign-in/code");
        // The enrolment used this step's code, and a code is good once: the next step's is accepted too.
        using (var code = await staff.SubmitAsync(codePage, "/account/sign-in/code", new Dictionary<string, string?> { ["Code"] = Totp.Code(Totp.FromBase32(key), Totp.StepAt(DateTimeOffset.UtcNow) + 1) }))
        {
            Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
            Assert.Equal("/staff", code.Headers.Location?.OriginalString);
        }

        using (var staffHome = await staff.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.OK, staffHome.StatusCode);
        }

        // nginx matches the site's name without its port and passes the Host on whole: a port out
        // of range reaches the portal, which refuses it (it once failed such a page with a 500).
        Assert.Equal(400, await RawStatusOverTlsAsync(httpsPort, thumbprint, $"GET /report HTTP/1.1\r\nHost: {SiteName}:99999\r\nConnection: close\r\n\r\n"));

        // An invitation link's secret never reaches nginx's log; nor does any client address.
        using (await client.GetAsync("/account/invitation?token=DEPLOYSECRET123"))
        {
        }

        // The case file's form takes a guess at the receipt key: nginx limits it per client with
        // the receipt lookups, whatever the portal's own count on each node says. Last, since
        // every client here shares one address.
        var limited = false;
        for (var attempt = 0; attempt < 40 && !limited; attempt++)
        {
            using var again = await client.GetAsync("/status/case-file");
            Assert.True(again.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"the case file page answered {(int)again.StatusCode}");
            limited = again.StatusCode == HttpStatusCode.TooManyRequests;
        }

        Assert.True(limited, "nginx never limited requests to /status/case-file");

        // nginx writes a request's line after its answer: wait for the last one before reading.
        var accessLogPath = Path.Combine(work, "logs", "portal-access.log");
        await Eventually.WaitAsync(async () => (await File.ReadAllTextAsync(accessLogPath)).Contains("/account/invitation ", StringComparison.Ordinal), "nginx to log the invitation request");
        var accessLog = await File.ReadAllTextAsync(accessLogPath);
        Assert.Contains("/account/invitation ", accessLog, StringComparison.Ordinal);
        Assert.Contains("POST /status/evidence ", accessLog, StringComparison.Ordinal);
        Assert.Contains("POST /status/documents ", accessLog, StringComparison.Ordinal);
        Assert.Contains("POST /status/case-file HTTP/1.1\" 200 ", accessLog, StringComparison.Ordinal);
        Assert.DoesNotContain("DEPLOYSECRET123", accessLog, StringComparison.Ordinal);
        Assert.DoesNotContain("lang=fi", accessLog, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", accessLog, StringComparison.Ordinal);

        // The portal's own log: quiet framework, no failures, no secret either.
        var output = portal.Output.ToList();
        Assert.DoesNotContain(output, l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal));
        Assert.DoesNotContain(output, l => l.Contains("Executed DbCommand", StringComparison.Ordinal) || l.Contains("DEPLOYSECRET123", StringComparison.Ordinal));
    }

    /// <summary>One request written by hand over TLS to nginx (for headers no HTTP client sends); the answer's status.</summary>
    private static async Task<int> RawStatusOverTlsAsync(int port, string thumbprint, string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(socket.GetStream(), leaveInnerStreamOpen: false, (_, cert, _, _) => cert is not null && cert.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = SiteName, ApplicationProtocols = [SslApplicationProtocol.Http11] });
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(tls, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        return statusLine.Length >= 12 && statusLine.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(statusLine.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>A PDF of about <paramref name="size"/> bytes, as a scanner makes them: the bulk is the page image.</summary>
    private static byte[] ScannedReceipt(int size)
    {
        var head = "%PDF-1.4\n% receipt for a therapy visit, 85.00 EUR\n1 0 obj<< /Length " + size + " >>stream\n";
        const string Tail = "\nendstream endobj\ntrailer<<>>\n%%EOF\n";
        var bytes = new byte[head.Length + size + Tail.Length];
        Encoding.ASCII.GetBytes(head).CopyTo(bytes, 0);
        RandomNumberGenerator.Fill(bytes.AsSpan(head.Length, size));
        Encoding.ASCII.GetBytes(Tail).CopyTo(bytes, head.Length + size);
        return bytes;
    }

    /// <summary>
    /// A client for the site's name, connecting to nginx on loopback whatever the name resolves to,
    /// and trusting only the throwaway certificate (by its SHA-256 thumbprint).
    /// </summary>
    private static HttpClient Client(Uri baseAddress, CookieContainer? cookies, string? thumbprint) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) => thumbprint is not null && cert is not null && cert.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
            },
        })
        { BaseAddress = baseAddress };

    private static async Task SignInWithPasswordAsync(HttpClient staff, bool expectCode)
    {
        var page = await staff.GetPageAsync("/account/sign-in");
        using var response = await staff.SubmitAsync(page, "/account/sign-in", new Dictionary<string, string?> { ["Email"] = AdminEmail, ["Password"] = AdminPassword });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expectCode ? "/account/sign-in/code" : "/staff", response.Headers.Location?.OriginalString);
    }

    /// <summary>
    /// Enrols the authenticator shown at /account/two-factor with its current code; returns the key.
    /// The first try succeeds, as the README tells operators: showing the page makes the key, and
    /// the code posted next is accepted in the same session (it once sent the admin back to sign-in).
    /// </summary>
    private static async Task<string> EnrolAsync(HttpClient staff)
    {
        var page = await staff.GetPageAsync("/account/two-factor");
        var key = (page.QuerySelector("[data-testid=shared-key]")?.TextContent ?? "").Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        Assert.NotEmpty(key);
        using var enrolled = await staff.SubmitAsync(page, "/account/two-factor", new Dictionary<string, string?> { ["code"] = Totp.Code(Totp.FromBase32(key), Totp.StepAt(DateTimeOffset.UtcNow)) });
        Assert.True(enrolled.StatusCode == HttpStatusCode.OK, $"enrolment answered {(int)enrolled.StatusCode} (to {enrolled.Headers.Location}) instead of the recovery codes");
        Assert.NotEmpty((await HtmlForms.ParseAsync(enrolled)).QuerySelectorAll("[data-testid=recovery-codes] li"));
        return key;
    }

    /// <summary>The unit's Environment= settings, in order (a later one wins, as in systemd).</summary>
    private static Dictionary<string, string> UnitEnvironment(string unit)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in EnvironmentLine().Matches(unit))
        {
            environment[match.Groups[1].Value] = match.Groups[2].Value.Trim();
        }

        return environment;
    }

    [GeneratedRegex(@"(?m)^Environment=([A-Za-z0-9_]+)=(.*)$")]
    private static partial Regex EnvironmentLine();

    /// <summary>The shipped site with its ports and paths moved here; every one of those must be found.</summary>
    private static async Task<string> SiteAsync(string work, (string Certificate, string Key) tls, int httpPort, int httpsPort, int portalPort)
    {
        var site = await File.ReadAllTextAsync(RepositoryFiles.PathOf("infra", "deploy", "portal.nginx.conf"));
        Directory.CreateDirectory(Path.Combine(work, "logs"));
        (string From, string To)[] moves =
        [
            ("    listen 80 default_server;\n", $"    listen 127.0.0.1:{httpPort} default_server;\n"),
            ("    listen [::]:80 default_server;\n", ""),
            ("    listen 443 ssl http2 default_server;\n", $"    listen 127.0.0.1:{httpsPort} ssl http2 default_server;\n"),
            ("    listen [::]:443 ssl http2 default_server;\n", ""),
            ("    listen 80;\n", $"    listen 127.0.0.1:{httpPort};\n"),
            ("    listen [::]:80;\n", ""),
            ("    listen 443 ssl http2;\n", $"    listen 127.0.0.1:{httpsPort} ssl http2;\n"),
            ("    listen [::]:443 ssl http2;\n", ""),
            ("return 301 https://$host$request_uri;", $"return 301 https://$host:{httpsPort}$request_uri;"),
            ("server 127.0.0.1:5080;", $"server 127.0.0.1:{portalPort};"),
            ("/etc/letsencrypt/live/portal.example.org/fullchain.pem", tls.Certificate),
            ("/etc/letsencrypt/live/portal.example.org/privkey.pem", tls.Key),
            ("/var/log/nginx/", Path.Combine(work, "logs") + "/"),
        ];
        foreach (var (from, to) in moves)
        {
            Assert.True(site.Contains(from, StringComparison.Ordinal), $"infra/deploy/portal.nginx.conf no longer has '{from.Trim()}', which the deployment test moves");
            site = site.Replace(from, to, StringComparison.Ordinal);
        }

        var path = Path.Combine(work, "portal.conf");
        await File.WriteAllTextAsync(path, site);
        return path;
    }

    private static async Task<((string Certificate, string Key) Files, string Thumbprint)> ThrowawayCertificateAsync(string work)
    {
        var (certificate, key) = (Path.Combine(work, "cert.pem"), Path.Combine(work, "key.pem"));
        var (exitCode, output) = await PublishedPortal.RunAsync(
            "openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
             "-subj", "/CN=portal.example.org", "-addext", "subjectAltName=DNS:portal.example.org", "-keyout", key, "-out", certificate],
            work, new Dictionary<string, string?>(), null);
        Assert.True(exitCode == 0, $"openssl: {output}");
        using var x509 = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificate));
        return ((certificate, key), x509.GetCertHashString(HashAlgorithmName.SHA256));
    }

    /// <summary>
    /// A free port below the ephemeral range, where no outgoing connection of the tests running
    /// alongside can take it between this check and nginx's bind.
    /// </summary>
    private static int FreePort()
    {
        while (true)
        {
            var port = System.Security.Cryptography.RandomNumberGenerator.GetInt32(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try another.
            }
        }
    }

    /// <summary>Debian's nginx in the foreground, a child of the test, with a harness configuration around the site.</summary>
    private sealed class NginxProcess(Process process, string pidFile) : IAsyncDisposable
    {
        public static async Task<NginxProcess> StartAsync(string nginx, string work, string site, int[] ports)
        {
            var configuration = Path.Combine(work, "nginx.conf");
            var pidFile = Path.Combine(work, "nginx.pid");
            var user = Environment.UserName == "root" ? "user root;\n" : "";
            await File.WriteAllTextAsync(configuration, $$"""
                {{user}}worker_processes 1;
                daemon off;
                pid {{pidFile}};
                error_log {{work}}/logs/nginx-error.log warn;
                events { worker_connections 256; }
                http {
                    include /etc/nginx/mime.types;
                    default_type application/octet-stream;
                    client_body_temp_path {{work}}/body;
                    proxy_temp_path {{work}}/proxy;
                    fastcgi_temp_path {{work}}/fastcgi;
                    uwsgi_temp_path {{work}}/uwsgi;
                    scgi_temp_path {{work}}/scgi;
                    include {{site}};
                }
                """);
            var check = await PublishedPortal.RunAsync(nginx, ["-t", "-p", work, "-c", configuration], work, new Dictionary<string, string?>(), null);
            Assert.True(check.ExitCode == 0, $"nginx -t: {check.Output}");

            var start = new ProcessStartInfo(nginx) { WorkingDirectory = work, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-p", work, "-c", configuration })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!File.Exists(pidFile) && !process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            while (!process.HasExited && DateTime.UtcNow < deadline && !ports.All(Accepts))
            {
                await Task.Delay(50);
            }

            if (process.HasExited || !ports.All(Accepts))
            {
                var output = process.HasExited ? $"exited with {process.ExitCode}: " + await process.StandardError.ReadToEndAsync() : "still running";
                process.Kill(entireProcessTree: true);
                Assert.Fail($"nginx is not listening on {string.Join(", ", ports)} ({output}); its log:\n{await File.ReadAllTextAsync(Path.Combine(work, "logs", "nginx-error.log"))}");
            }

            return new NginxProcess(process, pidFile);
        }

        private static bool Accepts(int port)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            File.Delete(pidFile);
        }
    }
}
