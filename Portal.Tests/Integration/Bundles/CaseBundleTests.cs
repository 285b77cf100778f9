using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Bundles;
using Portal.Tests.Support;
using Portal.Web.Cli;

namespace Portal.Tests.Integration.Bundles;

/// <summary>Portals that mail through the loopback SMTP server and check whole files first only up to 1 MiB of evidence.</summary>
public sealed class BundleSqliteFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [.. TestMailbox.SmtpSettings, new("Bundles:VerifyBeforeStreamingBytes", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

public sealed class BundlePostgresFactory : PostgresPortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [.. TestMailbox.SmtpSettings, new("Bundles:VerifyBeforeStreamingBytes", (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

/// <summary>
/// A supervisor's case evidence bundle end to end: signing in again, the download, and the
/// bundle checked with verify-bundle and with the standard tools (unzip, sha256sum, openssl,
/// a JSON-LD processor); tampering anywhere is caught; integrity failures block and alert.
/// </summary>
public abstract partial class CaseBundleTests<TFactory>(TFactory factory) where TFactory : PortalFactory
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

    [Fact]
    public async Task Bundle_RoundTrip_VerifiesWithVerifyBundle_Sha256sum_Openssl_AndIsAudited()
    {
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Bundle round trip " + Guid.NewGuid()));
        var (caseId, client) = await CaseWithEvidenceAsync(("viesti äöå \"lainattu\".eml", email), ("scan.pdf", Pdf));
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var staff = await BundleDownloads.SignInForExportAsync(factory, supervisor);
        client.Dispose();

        using var gate = await staff.GetAsync(BundleDownloads.BundlePath(caseId));
        Assert.Equal(HttpStatusCode.Redirect, gate.StatusCode);
        Assert.Equal($"/account/confirm?returnUrl={Uri.EscapeDataString(BundleDownloads.BundlePath(caseId))}", gate.Headers.Location?.OriginalString);
        using (var confirmed = await BundleDownloads.ConfirmAsync(staff, supervisor, supervisor.CodeAt(factory.Clock.GetUtcNow()), BundleDownloads.BundlePath(caseId)))
        {
            Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
            Assert.Equal("/account/confirm/done?returnUrl=" + Uri.EscapeDataString(BundleDownloads.BundlePath(caseId)), confirmed.Headers.Location?.OriginalString);
        }

        using var response = await staff.GetAsync(BundleDownloads.BundlePath(caseId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var directory = TestDatabases.NewTempDirectory();
        var zip = Path.Combine(directory, "bundle.zip");
        await File.WriteAllBytesAsync(zip, await response.Content.ReadAsByteArrayAsync());
        var keyPem = await factory.CreatePortalClient().GetStringAsync("/keys/bundle-signing.pem");
        var keyFile = Path.Combine(directory, "key.pem");
        await File.WriteAllTextAsync(keyFile, keyPem);

        var (exit, output) = await VerifyAsync(zip, keyFile);
        Assert.True(exit == 0, output);
        Assert.Contains("VERIFIED", output, StringComparison.Ordinal);

        var extracted = Path.Combine(directory, "x");
        var unzip = await BundleDownloads.RunAsync("/usr/bin/unzip", directory, "-q", zip, "-d", extracted);
        Assert.True(unzip.ExitCode == 0, unzip.Errors);
        var sums = await BundleDownloads.RunAsync("/usr/bin/sha256sum", extracted, "--strict", "-c", "SHA256SUMS");
        Assert.True(sums.ExitCode == 0, sums.Output + sums.Errors);
        Assert.Equal(7, Regex.Count(sums.Output, ": OK$", RegexOptions.Multiline));
        var openssl = await BundleDownloads.RunAsync("/usr/bin/openssl", extracted, "dgst", "-sha256", "-verify", keyFile, "-signature", "manifest.json.sig", "manifest.json");
        Assert.True(openssl.ExitCode == 0, openssl.Output + openssl.Errors);
        Assert.Equal("Verified OK", openssl.Output.Trim());

        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(extracted, "manifest.json")));
        var root = manifest.RootElement;
        Assert.Matches("^VS-", root.GetProperty("caseReference").GetString());
        Assert.EndsWith("Z", root.GetProperty("generatedAt").GetString(), StringComparison.Ordinal);
        Assert.Equal("Portal", root.GetProperty("generator").GetProperty("name").GetString());
        var files = root.GetProperty("files").EnumerateArray().ToList();
        var emailEntry = files.Single(f => f.TryGetProperty("originalName", out var n) && n.GetString() == "viesti äöå \"lainattu\".eml");
        Assert.Equal("evidence/01-viesti_aoa_lainattu_.eml", emailEntry.GetProperty("name").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(email)), emailEntry.GetProperty("sha256").GetString());
        Assert.Equal("message/rfc822", emailEntry.GetProperty("mediaType").GetString());
        Assert.Equal(email.Length, emailEntry.GetProperty("size").GetInt64());
        Assert.True(emailEntry.TryGetProperty("receivedAt", out _));
        Assert.Equal(email, await File.ReadAllBytesAsync(Path.Combine(extracted, "evidence", "01-viesti_aoa_lainattu_.eml")));
        Assert.Equal(Pdf, await File.ReadAllBytesAsync(Path.Combine(extracted, "evidence", "02-scan.pdf")));
        string[] listed = ["evidence/01-viesti_aoa_lainattu_.eml", "evidence/02-scan.pdf", "case.json", "case.html", "case.jsonld", "custody.json", "signing-key.pem", "SHA256SUMS"];
        Assert.Equal(listed, files.Select(f => f.GetProperty("name").GetString() ?? "").ToArray());
        using (var archive = ZipFile.OpenRead(zip))
        {
            // Evidence first, the manifest after everything it lists, its signature last.
            Assert.Equal([.. listed, "manifest.json", "manifest.json.sig"], archive.Entries.Select(e => e.FullName).ToArray());
        }

        var summary = await File.ReadAllTextAsync(Path.Combine(extracted, "case.json"));
        Assert.Contains("therapy notes would be published", summary, StringComparison.Ordinal);
        Assert.Contains("ransom@extortion.example", summary, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(Path.Combine(extracted, "case.html"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("viesti äöå &quot;lainattu&quot;.eml", html, StringComparison.Ordinal);
        using var custody = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(extracted, "custody.json")));
        var actions = custody.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains(AuditActions.ReportSubmitted, actions);
        Assert.Contains(AuditActions.EvidenceAdded, actions);
        Assert.Contains(AuditActions.BundleDownloaded, actions);

        var downloads = await AuditAsync(AuditActions.BundleDownloaded);
        Assert.Contains(downloads, e => e.CaseId == caseId && e.ActorId != null && e.IpAddress == PortalFactory.ClientAddress.ToString());
        Assert.Contains(await AuditAsync(AuditActions.StaffReauthenticated), e => e.ActorId == downloads.Last(d => d.CaseId == caseId).ActorId);
    }

    [Fact]
    public async Task CaseHtml_OfABreachNamedOtherOrNotSure_SaysSo_NotTheStoredKey()
    {
        var answers = ReportAnswers.Valid();
        answers["BreachOrganisation"] = "other";
        var (client, _) = await EvidenceUploads.NewCaseAsync(factory, answers);
        var reference = (await client.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent ?? "";
        await using var scope = factory.Services.CreateAsyncScope();
        var caseId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();

        var bundle = Assert.IsType<CaseBundleResult.Ready>(await scope.ServiceProvider.GetRequiredService<BuildCaseBundleHandler>().HandleAsync(caseId, CancellationToken.None));
        using var written = new MemoryStream();
        await bundle.WriteToAsync(written, CancellationToken.None);
        using var archive = new ZipArchive(new MemoryStream(written.ToArray()));
        using var reader = new StreamReader(archive.GetEntry("case.html")?.Open() ?? throw new InvalidOperationException("no case.html"));
        var html = await reader.ReadToEndAsync();

        Assert.Contains("<tr><th>Breached organisation</th><td>Other or not sure</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlippingOneByte_InAnyEntry_FailsVerification()
    {
        var (zip, key) = await DownloadedBundleAsync();
        var original = await File.ReadAllBytesAsync(zip);
        List<string> names;
        using (var archive = new ZipArchive(new MemoryStream(original), ZipArchiveMode.Read))
        {
            names = archive.Entries.Select(e => e.FullName).ToList();
        }

        Assert.Equal(10, names.Count);
        foreach (var name in names)
        {
            // Rewritten as a valid ZIP (fresh CRCs), so only the bundle's own checks can catch it.
            var tampered = Path.Combine(Path.GetDirectoryName(zip) ?? "", "tampered.zip");
            await using (var file = File.Create(tampered))
            using (var archive = new ZipArchive(file, ZipArchiveMode.Create))
            using (var source = new ZipArchive(new MemoryStream(original), ZipArchiveMode.Read))
            {
                foreach (var entry in source.Entries)
                {
                    using var content = new MemoryStream();
                    using (var stream = entry.Open())
                    {
                        await stream.CopyToAsync(content);
                    }

                    var bytes = content.ToArray();
                    if (entry.FullName == name)
                    {
                        bytes[bytes.Length / 2] ^= 0x01;
                    }

                    var copy = archive.CreateEntry(entry.FullName, CompressionLevel.NoCompression);
                    using var target = copy.Open();
                    await target.WriteAsync(bytes);
                }
            }

            var (exit, output) = await VerifyAsync(tampered, key);
            Assert.True(exit == 1, $"{name} flipped, yet: {output}");
            Assert.Contains("NOT VERIFIED", output, StringComparison.Ordinal);
            Assert.Matches(name.StartsWith("manifest.json", StringComparison.Ordinal) ? "FAIL  manifest.json.sig" : $"FAIL  ({Regex.Escape(name)}|manifest.json.sig|signing-key.pem)", output);
        }

        // And a byte flipped in place in the downloaded file: the ZIP's own CRC or the hash catches it.
        var evidenceOffset = original.AsSpan().IndexOf("Bundle test"u8);
        Assert.True(evidenceOffset > 0);
        original[evidenceOffset] ^= 0x20;
        await File.WriteAllBytesAsync(zip, original);
        var raw = await VerifyAsync(zip, key);
        Assert.Equal(1, raw.ExitCode);
        Assert.Contains("FAIL  evidence/01-r.eml", raw.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyBundle_WithAnotherKey_FailsTheSignature()
    {
        var (zip, _) = await DownloadedBundleAsync();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherKey = Path.Combine(Path.GetDirectoryName(zip) ?? "", "other.pem");
        await File.WriteAllTextAsync(otherKey, other.ExportSubjectPublicKeyInfoPem());

        var (exit, output) = await VerifyAsync(zip, otherKey);

        Assert.Equal(1, exit);
        Assert.Contains("is not a valid signature of manifest.json by the public key given with --key", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaseJsonLd_ExpandsOffline_WithTheCaseUcoContext()
    {
        var (zip, _) = await DownloadedBundleAsync();
        var directory = Path.GetDirectoryName(zip) ?? "";
        var jsonldFile = Path.Combine(directory, "case.jsonld");
        byte[] emailBytes;
        using (var archive = ZipFile.OpenRead(zip))
        {
            archive.GetEntry("case.jsonld")?.ExtractToFile(jsonldFile);
            using var email = new MemoryStream();
            using (var stream = archive.GetEntry("evidence/01-r.eml")?.Open() ?? Stream.Null)
            {
                await stream.CopyToAsync(email);
            }

            emailBytes = email.ToArray();
        }

        var node = await BundleDownloads.RunAsync("node", RepositoryFiles.Root, RepositoryFiles.PathOf("infra", "jsonld", "expand.js"), jsonldFile);
        Assert.True(node.ExitCode == 0, node.Errors);

        const string observable = "https://ontology.unifiedcyberontology.org/uco/observable/";
        const string core = "https://ontology.unifiedcyberontology.org/uco/core/";
        const string types = "https://ontology.unifiedcyberontology.org/uco/types/";
        using var expanded = JsonDocument.Parse(node.Output);
        var nodes = expanded.RootElement.EnumerateArray().ToList();
        JsonElement OfType(string type) => nodes.Single(n => n.GetProperty("@type").EnumerateArray().Any(t => t.GetString() == type));
        List<JsonElement> AllOfType(string type) => nodes.Where(n => n.GetProperty("@type").EnumerateArray().Any(t => t.GetString() == type)).ToList();

        var investigation = OfType("https://ontology.caseontology.org/case/investigation/Investigation");
        Assert.Matches("^VS-", investigation.GetProperty(core + "name")[0].GetProperty("@value").GetString());
        var file = AllOfType(observable + "File").Single(f => f.GetProperty(core + "name")[0].GetProperty("@value").GetString() == "r.eml");
        var facets = file.GetProperty(core + "hasFacet").EnumerateArray().ToList();
        var hash = facets.Single(f => f.GetProperty("@type")[0].GetString() == observable + "ContentDataFacet").GetProperty(observable + "hash")[0];
        Assert.Equal(types + "Hash", hash.GetProperty("@type")[0].GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(emailBytes)), hash.GetProperty(types + "hashValue")[0].GetProperty("@value").GetString());
        Assert.Equal("http://www.w3.org/2001/XMLSchema#hexBinary", hash.GetProperty(types + "hashValue")[0].GetProperty("@type").GetString());
        var emailFacet = OfType(observable + "EmailMessage").GetProperty(core + "hasFacet")[0];
        Assert.Equal("Your therapy records", emailFacet.GetProperty(observable + "subject")[0].GetProperty("@value").GetString());
        Assert.Contains("mail.extortion.example", emailFacet.GetProperty(observable + "receivedLines")[0].GetProperty("@value").GetString(), StringComparison.Ordinal);
        var from = emailFacet.GetProperty(observable + "from")[0].GetProperty("@id").GetString();
        var sender = nodes.Single(n => n.GetProperty("@id").GetString() == from);
        Assert.Equal("ransom@extortion.example", sender.GetProperty(core + "hasFacet")[0].GetProperty(observable + "addressValue")[0].GetProperty("@value").GetString());
        var payment = OfType(observable + "DigitalAddress").GetProperty(core + "hasFacet")[0];
        Assert.Equal("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", payment.GetProperty(observable + "addressValue")[0].GetProperty("@value").GetString());
        // Per file a provenance record and the action that received it; and the export itself.
        Assert.Equal(2, AllOfType("https://ontology.caseontology.org/case/investigation/ProvenanceRecord").Count);
        Assert.Equal(3, AllOfType("https://ontology.caseontology.org/case/investigation/InvestigativeAction").Count);
    }

    [Fact]
    public async Task TamperedEvidence_BlocksTheDownload_WithAClearPage_AndAlertsSupervisors()
    {
        var secret = "TAMPERED-BUNDLE-" + Guid.NewGuid().ToString("N");
        var (caseId, client) = await CaseWithEvidenceAsync(("t.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail(secret + new string('x', 100_000)))));
        client.Dispose();
        await FlipStoredByteAsync(caseId, fromEnd: 20);
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var staff = await BundleDownloads.SignInForExportAsync(factory, supervisor);
        await BundleDownloads.ConfirmNowAsync(factory, staff, supervisor);

        using var response = await staff.GetAsync(BundleDownloads.BundlePath(caseId));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await HtmlForms.ParseAsync(response);
        Assert.Contains("t.eml", page.QuerySelector("[data-testid=bundle-blocked]")?.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.Contains(await AuditAsync(AuditActions.EvidenceTampered), e => e.CaseId == caseId && e.Detail != null && e.Detail.StartsWith("bundle:", StringComparison.Ordinal));
        Assert.DoesNotContain(await AuditAsync(AuditActions.BundleDownloaded), e => e.CaseId == caseId);
        var reference = await ReferenceAsync(caseId);
        var alerts = await TestMailbox.Smtp.WaitForAsync(supervisor.Email);
        var alert = alerts.Single(m => m.Subject?.Contains(reference, StringComparison.Ordinal) == true);
        Assert.Contains($"/staff/cases/{caseId}", alert.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, alert.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IntegrityAlert_TheMailServerRefusedAtFirst_IsKeptAndSentByTheAlertJob_Once()
    {
        var (caseId, client) = await CaseWithEvidenceAsync(("kept.txt", Encoding.ASCII.GetBytes("Evidence whose alert must not be lost.\n")));
        client.Dispose();
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var reference = await ReferenceAsync(caseId);
        Guid evidenceId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            evidenceId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EvidenceFiles.Where(e => e.CaseId == caseId).Select(e => e.Id).SingleAsync();
        }

        // Found while the mail server is down: the request records it and cannot send.
        var failure = new EvidenceIntegrityFailure(caseId, reference, evidenceId, "test: damaged", AuditEvent.System(AuditActions.EvidenceTampered));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var down = TestMailbox.SmtpOptions();
            down.Port = TestMailbox.ClosedPort();
            await AlertWith(scope.ServiceProvider, new SmtpEmailSender(Options.Create(down), factory.Clock, NullLogger<SmtpEmailSender>.Instance)).RaiseAsync(failure, "fi", CancellationToken.None);
        }

        Assert.Contains(await AuditAsync(AuditActions.EvidenceTampered), e => e.CaseId == caseId && e.Subject == evidenceId.ToString());
        Assert.Null(await IntegrityAlertSentAtAsync(caseId));
        Assert.DoesNotContain(TestMailbox.Smtp.To(supervisor.Email), m => m.Subject?.Contains(reference, StringComparison.Ordinal) == true);

        // The job leaves it to the request for as long as a send can take, then sends it once.
        var takeOver = EvidenceIntegrityAlert.TakeOverAfter(factory.Services.GetRequiredService<IOptions<EmailOptions>>().Value);
        factory.Clock.Advance(takeOver - TimeSpan.FromSeconds(5));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<EvidenceIntegrityAlert>().SendPendingAsync(CancellationToken.None));
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<EvidenceIntegrityAlert>().SendPendingAsync(CancellationToken.None) >= 1);
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<EvidenceIntegrityAlert>().SendPendingAsync(CancellationToken.None));
        }

        var alert = Assert.Single(await TestMailbox.Smtp.WaitForAsync(supervisor.Email), m => m.Subject?.Contains(reference, StringComparison.Ordinal) == true);
        Assert.Contains($"/staff/cases/{caseId}", alert.TextBody, StringComparison.Ordinal);
        Assert.NotNull(await IntegrityAlertSentAtAsync(caseId));

        // Damage found again later is a new alert.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<EvidenceIntegrityAlert>().RaiseAsync(failure, "en", CancellationToken.None);
        }

        await TestMailbox.Smtp.WaitForAsync(supervisor.Email, count: 2);
        Assert.Equal(2, TestMailbox.Smtp.To(supervisor.Email).Count(m => m.Subject?.Contains(reference, StringComparison.Ordinal) == true));
        Assert.NotNull(await IntegrityAlertSentAtAsync(caseId));
    }

    private static EvidenceIntegrityAlert AlertWith(IServiceProvider services, IEmailSender sender) => new(
        services.GetRequiredService<PortalDbContext>(),
        services.GetRequiredService<AuditTrail>(),
        services.GetRequiredService<StaffRecipients>(),
        sender,
        services.GetRequiredService<EmailComposer>(),
        services.GetRequiredService<IOptions<EmailOptions>>(),
        services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<ILogger<EvidenceIntegrityAlert>>());

    private async Task<DateTime?> IntegrityAlertSentAtAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().SupervisorAlerts
            .Where(a => a.CaseId == caseId && a.Kind == SupervisorAlertKind.EvidenceIntegrity)
            .Select(a => a.SentAt)
            .SingleAsync();
    }

    [Fact]
    public async Task EvidenceDamagedMidFile_OfALargeCase_CutsTheDownloadOff_BeforeAnyManifest_AndAlerts()
    {
        // Over the 1 MiB this factory checks before streaming, so the check happens in the stream.
        var large = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Evidence line that repeats to make a large text file.\n", 40_000)));
        var (caseId, client) = await CaseWithEvidenceAsync(("large.txt", large));
        client.Dispose();
        await FlipStoredByteAsync(caseId, fromEnd: large.Length / 2);
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var staff = await BundleDownloads.SignInForExportAsync(factory, supervisor);
        await BundleDownloads.ConfirmNowAsync(factory, staff, supervisor);

        var received = new MemoryStream();
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var response = await staff.GetAsync(BundleDownloads.BundlePath(caseId), HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(received);
        });

        Assert.NotNull(failure);
        Assert.Equal(-1, received.ToArray().AsSpan().IndexOf("manifest.json"u8));
        Assert.Equal(-1, received.ToArray().AsSpan().IndexOf("PK\u0005\u0006"u8));
        Assert.Contains(await AuditAsync(AuditActions.EvidenceTampered), e => e.CaseId == caseId);
        var reference = await ReferenceAsync(caseId);
        var alerts = await TestMailbox.Smtp.WaitForAsync(supervisor.Email);
        Assert.Contains(alerts, m => m.Subject?.Contains(reference, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Confirmation_OlderThanFiveMinutes_IsAskedForAgain_AndAWrongCodeConfirmsNothing()
    {
        var (caseId, client) = await CaseWithEvidenceAsync(("c.pdf", Pdf));
        client.Dispose();
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var staff = await BundleDownloads.SignInForExportAsync(factory, supervisor);

        using (var wrong = await BundleDownloads.ConfirmAsync(staff, supervisor, "000000"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using (var wrongPassword = await BundleDownloads.ConfirmAsync(staff, supervisor, supervisor.CodeAt(factory.Clock.GetUtcNow()), password: "not-the-password"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrongPassword.StatusCode);
        }

        using (var refused = await staff.GetAsync(BundleDownloads.BundlePath(caseId)))
        {
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        }

        // The code of the current step is still unused: the wrong password did not spend it.
        await BundleDownloads.ConfirmNowAsync(factory, staff, supervisor);
        factory.Clock.Advance(TimeSpan.FromMinutes(4));
        using (var fresh = await staff.GetAsync(BundleDownloads.BundlePath(caseId)))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        using var stale = await staff.GetAsync(BundleDownloads.BundlePath(caseId));

        Assert.Equal(HttpStatusCode.Redirect, stale.StatusCode);
        Assert.StartsWith("/account/confirm?returnUrl=", stale.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Contains(await AuditAsync(AuditActions.StaffReauthenticationFailed), e => e.Detail == "second factor");
        Assert.Contains(await AuditAsync(AuditActions.StaffReauthenticationFailed), e => e.Detail == "password");
    }

    [Theory]
    [InlineData(StaffRoles.Volunteer)]
    [InlineData(StaffRoles.Admin)]
    [InlineData(StaffRoles.Counsellor)]
    public async Task RolesWithoutBundles_AreDenied(string role)
    {
        var (caseId, client) = await CaseWithEvidenceAsync(("d.pdf", Pdf));
        client.Dispose();
        var account = await StaffAccounts.CreateAsync(factory, role);
        var staff = await BundleDownloads.SignInForExportAsync(factory, account);
        await BundleDownloads.ConfirmNowAsync(factory, staff, account);

        using var response = await staff.GetAsync(BundleDownloads.BundlePath(caseId));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/denied", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Police_WithoutAReferralToTheirOrganisation_Get404_AndTheDenialIsAudited()
    {
        var (caseId, client) = await CaseWithEvidenceAsync(("p.pdf", Pdf));
        client.Dispose();
        var police = await StaffAccounts.CreateAsync(factory, StaffRoles.Police);
        var staff = await BundleDownloads.SignInForExportAsync(factory, police);
        await BundleDownloads.ConfirmNowAsync(factory, staff, police);

        using var response = await staff.GetAsync(BundleDownloads.BundlePath(caseId));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(await AuditAsync(AuditActions.AccessDenied), e => e.Subject == caseId.ToString() && e.Detail == "bundle");
    }

    [Fact]
    public async Task Police_OfTheOrganisationHoldingTheReferral_DownloadTheBundle_OtherPoliceGet404()
    {
        var (caseId, client) = await CaseWithEvidenceAsync(("held.pdf", Pdf));
        client.Dispose();
        var holder = await RoutingSteps.AddPartnerAsync(factory, PartnerType.Police, "uusimaa");
        var other = await RoutingSteps.AddPartnerAsync(factory, PartnerType.Police, "uusimaa");
        await RoutingSteps.WithDbAsync(factory, async db =>
        {
            db.Referrals.Add(new Referral { CaseId = caseId, PartnerType = PartnerType.Police, Status = ReferralStatus.Assigned, PartnerId = holder.Id, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync();
        });

        async Task<HttpResponseMessage> DownloadAsync(long partnerId)
        {
            var officer = await StaffAccounts.CreateAsync(factory, StaffRoles.Police);
            await RoutingSteps.WithDbAsync(factory, db => db.Users.Where(u => u.Email == officer.Email).ExecuteUpdateAsync(u => u.SetProperty(x => x.PartnerId, partnerId)));
            var staff = await BundleDownloads.SignInForExportAsync(factory, officer);
            await BundleDownloads.ConfirmNowAsync(factory, staff, officer);
            return await staff.GetAsync(BundleDownloads.BundlePath(caseId));
        }

        using (var held = await DownloadAsync(holder.Id))
        {
            Assert.Equal(HttpStatusCode.OK, held.StatusCode);
            using var archive = new ZipArchive(await held.Content.ReadAsStreamAsync());
            Assert.NotNull(archive.GetEntry("manifest.json.sig"));
        }

        using (var elsewhere = await DownloadAsync(other.Id))
        {
            Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        }

        // Consent withdrawn (or never given): the same referral opens nothing.
        await RoutingSteps.WithDbAsync(factory, db => db.Cases.Where(c => c.Id == caseId).ExecuteUpdateAsync(c => c.SetProperty(x => x.ConsentPolice, false)));
        using (var withoutConsent = await DownloadAsync(holder.Id))
        {
            Assert.Equal(HttpStatusCode.NotFound, withoutConsent.StatusCode);
        }

        Assert.Single(await AuditAsync(AuditActions.BundleDownloaded), e => e.CaseId == caseId);
    }

    /// <summary>
    /// HEAD is answered as GET (monitors, link checkers), so a HEAD of a bundle built it, checked
    /// every file and wrote "bundle downloaded" into the case's custody log, which goes into every
    /// later bundle, though nothing was sent. A download is a GET only.
    /// </summary>
    [Fact]
    public async Task Head_OfABundle_IsRefused_AndPutsNoDownloadInTheCustodyLog()
    {
        var (caseId, client) = await CaseWithEvidenceAsync(("h.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Head " + Guid.NewGuid()))));
        client.Dispose();
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var staff = await BundleDownloads.SignInForExportAsync(factory, supervisor);
        await BundleDownloads.ConfirmNowAsync(factory, staff, supervisor);

        using (var head = await staff.SendAsync(new HttpRequestMessage(HttpMethod.Head, BundleDownloads.BundlePath(caseId))))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, head.StatusCode);
            Assert.Contains("GET", head.Content.Headers.Allow);
        }

        Assert.False(await factory.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.CaseId == caseId && e.Action == AuditActions.BundleDownloaded)));
        using var get = await staff.GetAsync(BundleDownloads.BundlePath(caseId));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.True(await factory.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.CaseId == caseId && e.Action == AuditActions.BundleDownloaded)));
    }

    [Fact]
    public async Task PublicKey_IsPublishedAnonymously_AndShownWithItsFingerprintOnTheCasePage()
    {
        var (caseId, client) = await CaseWithEvidenceAsync(("k.pdf", Pdf));
        client.Dispose();
        using var anonymous = factory.CreatePortalClient();
        var pem = await anonymous.GetStringAsync("/keys/bundle-signing.pem");
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);

        var page = await supervisor.GetPageAsync($"/staff/cases/{caseId}");

        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pem, StringComparison.Ordinal);
        Assert.Equal(fingerprint, page.QuerySelector("[data-testid=bundle-key-fingerprint]")?.TextContent);
        Assert.Equal(BundleDownloads.BundlePath(caseId), page.QuerySelector("[data-testid=bundle-download]")?.GetAttribute("href"));
    }

    private async Task<(string Zip, string Key)> DownloadedBundleAsync()
    {
        var (caseId, client) = await CaseWithEvidenceAsync(("r.eml", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Bundle test " + Guid.NewGuid()))), ("s.pdf", Pdf));
        client.Dispose();
        var supervisor = await StaffAccounts.CreateAsync(factory, StaffRoles.Supervisor);
        var staff = await BundleDownloads.SignInForExportAsync(factory, supervisor);
        await BundleDownloads.ConfirmNowAsync(factory, staff, supervisor);
        using var response = await staff.GetAsync(BundleDownloads.BundlePath(caseId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var directory = TestDatabases.NewTempDirectory();
        var zip = Path.Combine(directory, "bundle.zip");
        await File.WriteAllBytesAsync(zip, await response.Content.ReadAsByteArrayAsync());
        var key = Path.Combine(directory, "key.pem");
        await File.WriteAllTextAsync(key, await factory.CreatePortalClient().GetStringAsync("/keys/bundle-signing.pem"));
        return (zip, key);
    }

    private static async Task<(int ExitCode, string Output)> VerifyAsync(string zip, string key)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await PortalCommands.RunAsync(["verify-bundle", zip, "--key", key], null, output, errors);
        return (exit, output.ToString() + errors);
    }

    private async Task<(Guid CaseId, HttpClient Victim)> CaseWithEvidenceAsync(params (string Name, byte[] Content)[] files)
    {
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory);
        Guid? caseId = null;
        foreach (var (name, content) in files)
        {
            using var response = await EvidenceUploads.UploadAsync(client, token, name, null, content);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var evidenceId = Guid.Parse(EvidenceAdded().Match(response.Headers.Location?.OriginalString ?? "").Groups[1].Value);
            await using var scope = factory.Services.CreateAsyncScope();
            caseId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EvidenceFiles.Where(e => e.Id == evidenceId).Select(e => e.CaseId).SingleAsync();
            token = EvidenceUploads.Token(await EvidenceUploads.PageAsync(client));
        }

        await EvidenceUploads.AnalysePendingAsync(factory);
        return (caseId ?? throw new InvalidOperationException("No file uploaded."), client);
    }

    private async Task FlipStoredByteAsync(Guid caseId, int fromEnd)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var evidenceId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EvidenceFiles.Where(e => e.CaseId == caseId).Select(e => e.Id).SingleAsync();
        var blob = Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "evidence"), evidenceId.ToString("N") + ".pev", SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[^fromEnd] ^= 0x40;
        await File.WriteAllBytesAsync(blob, bytes);
    }

    private async Task<string> ReferenceAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Id == caseId).Select(c => c.Reference).SingleAsync();
    }

    private async Task<List<AuditEntry>> AuditAsync(string action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.AsNoTracking().Where(e => e.Action == action).OrderBy(e => e.Id).ToListAsync();
    }

    [GeneratedRegex("added=([0-9a-f-]{36})")]
    private static partial Regex EvidenceAdded();
}

public sealed class SqliteCaseBundleTests(BundleSqliteFactory factory)
    : CaseBundleTests<BundleSqliteFactory>(factory), IClassFixture<BundleSqliteFactory>;

public sealed class PostgresCaseBundleTests(BundlePostgresFactory factory)
    : CaseBundleTests<BundlePostgresFactory>(factory), IClassFixture<BundlePostgresFactory>;
