using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Evidence;

public sealed class SmallLimitsSqliteFactory : SqlitePortalFactory
{
    public const int MaxFileBytes = 256 * 1024;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Evidence:MaxFileBytes", MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Evidence:MaxBytesPerCase", (MaxFileBytes * 3 / 2).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Evidence:MaxFilesPerCase", "3"),
    ];
}

/// <summary>The evidence locker through the real pipeline: what is stored, how, and what is refused without a trace.</summary>
public abstract class EvidenceUploadTests<TFactory>(TFactory factory)
    where TFactory : PortalFactory
{
    [Fact]
    public async Task Upload_Email_IsStoredEncryptedOnce_WithItsHashOnScreenAndInTheReceipt()
    {
        var (client, token) = await NewCaseAsync();
        var canary = "EVIDENCE-CANARY-" + Guid.NewGuid().ToString("N");
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail($"Pay now. {canary}"));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(email));

        using var response = await EvidenceUploads.UploadAsync(client, token, "ransom mail.eml", "message/rfc822", email);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await client.GetPageAsync(response.Headers.Location?.OriginalString ?? "/status/evidence");
        var row = Assert.Single(page.QuerySelectorAll("[data-testid=evidence-file]"));
        Assert.Equal("ransom mail.eml", row.QuerySelector(".file-name")?.TextContent);
        Assert.Equal(sha256, row.QuerySelector("[data-testid=evidence-sha256]")?.TextContent);
        Assert.Contains("highlight", row.ClassName ?? "", StringComparison.Ordinal);

        using var receipt = await client.GetAsync("/status/evidence/receipt");
        Assert.Equal("attachment", receipt.Content.Headers.ContentDisposition?.DispositionType);
        var receiptText = await receipt.Content.ReadAsStringAsync();
        Assert.Contains(sha256, receiptText, StringComparison.Ordinal);
        Assert.Contains("ransom mail.eml", receiptText, StringComparison.Ordinal);

        await PlaintextSearch.AssertNowhereInDataAsync(factory, canary);
        await PlaintextSearch.AssertNowhereInDataAsync(factory, "ransom mail.eml");
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(canary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_Email_RecordsTheExtortionistsIndicators_ButNotTheVictimsAddress()
    {
        var (client, token) = await NewCaseAsync();
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("Pay 0.5 BTC within 72 hours. Questions: help@extortion-support.example"));

        using var response = await EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", email);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(1, await EvidenceUploads.AnalysePendingAsync(factory));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var evidence = await db.EvidenceFiles.OrderByDescending(e => e.ReceivedAt).ThenByDescending(e => e.Id).FirstAsync();
        var indicators = await scope.ServiceProvider.GetRequiredService<SealedIndicators>().OfFileAsync(db, evidence.Id, Enum.GetValues<IndicatorKind>(), CancellationToken.None);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.BitcoinAddress && i.Value == "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Amount && i.Value == "0.5" && i.Detail == "BTC");
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Deadline && i.Value == "72");
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.EmailAddress && i.Value == "ransom@extortion.example");
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Domain && i.Value == "extortion.example");
        Assert.DoesNotContain(indicators, i => i.Value.Contains("victim@", StringComparison.Ordinal));
        Assert.NotNull(evidence.ParsedEnvelope);
        Assert.True(evidence.ParsedEnvelope.AsSpan().IndexOf("Your therapy records"u8) < 0);
    }

    [Fact]
    public async Task Upload_Email_ItsLinksAndAddressesAreIndicators_ButNoneIsReadableInTheData()
    {
        var (client, token) = await NewCaseAsync();
        var canary = "canary" + Guid.NewGuid().ToString("N");
        var url = $"https://pay.extortion.example/patient/{canary}?id=4711";
        var address = $"{canary}@extortion-support.example";
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail($"Your record is at {url} - write to {address}"));

        using var response = await EvidenceUploads.UploadAsync(client, token, "ransom.eml", "message/rfc822", email);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(1, await EvidenceUploads.AnalysePendingAsync(factory));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var sha256 = SHA256.HashData(email);
            var evidence = await db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.Sha256 == sha256);
            var indicators = await scope.ServiceProvider.GetRequiredService<SealedIndicators>().OfFileAsync(db, evidence.Id, Enum.GetValues<IndicatorKind>(), CancellationToken.None);
            Assert.Contains(indicators, i => i.Kind == IndicatorKind.Url && i.Value == url);
            Assert.Contains(indicators, i => i.Kind == IndicatorKind.EmailAddress && i.Value == address);
        }

        await PlaintextSearch.AssertNowhereInDataAsync(factory, canary);
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(canary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_SameFileTwice_IsStoredOnce()
    {
        var (client, token) = await NewCaseAsync();
        var email = Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("twice " + Guid.NewGuid()));

        using var first = await EvidenceUploads.UploadAsync(client, token, "a.eml", "message/rfc822", email);
        using var second = await EvidenceUploads.UploadAsync(client, token, "copy of a.eml", null, email);

        Assert.True(second.StatusCode == HttpStatusCode.Redirect, string.Join("\n", factory.Logs.Lines.Where(l => l.Contains("Exception:", StringComparison.Ordinal)).TakeLast(1)));
        Assert.Contains("existing=", second.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var page = await EvidenceUploads.PageAsync(client);
        Assert.Single(page.QuerySelectorAll("[data-testid=evidence-file]"));
        var id = Guid.Parse((page.QuerySelector("[data-testid=evidence-file]")?.Id ?? "")["file-".Length..]).ToString("N");
        Assert.Single(BlobFiles(), b => Path.GetFileName(b) == id + ".pev");
        Assert.Equal(await CountRowsAsync(), BlobFiles().Count(b => b.EndsWith(".pev", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(EvidenceSamples.Refused), MemberType = typeof(EvidenceSamples))]
    public async Task Upload_RefusedFile_GetsItsStatusAndMessage_AndLeavesNothing(string fileName, string? contentType, byte[] content, HttpStatusCode expected, string reason)
    {
        var (client, token) = await NewCaseAsync();
        var rowsBefore = await CountRowsAsync();

        using var response = await EvidenceUploads.UploadAsync(client, token, fileName, contentType, content);

        Assert.True(expected == response.StatusCode, string.Join("\n", factory.Logs.Lines.Where(l => l.Contains("Exception", StringComparison.Ordinal)).TakeLast(2)));
        var page = await HtmlForms.ParseAsync(response);
        Assert.Equal(Message("Evidence.Rejected." + reason), page.QuerySelector("[data-testid=evidence-message]")?.TextContent.Trim());
        Assert.Equal(rowsBefore, await CountRowsAsync());
        Assert.DoesNotContain(BlobFiles(), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_WithoutAntiforgeryField_Is400_AndLeavesNothing()
    {
        var (client, _) = await NewCaseAsync();
        var rowsBefore = await CountRowsAsync();

        using var response = await EvidenceUploads.UploadAsync(client, token: null, "a.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail()));
        using var forged = await EvidenceUploads.UploadAsync(client, "forged-token", "a.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail()));

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, string.Join("\n", factory.Logs.Lines.Where(l => l.Contains("rror", StringComparison.Ordinal)).TakeLast(4)));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(rowsBefore, await CountRowsAsync());
    }

    [Fact]
    public async Task Upload_WithoutCaseSession_IsSentToOpenTheCase()
    {
        var stranger = factory.CreatePortalClient();

        using var response = await EvidenceUploads.UploadAsync(stranger, "x", "a.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail()));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/status/open", response.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_PathLikeOrControlCharacterName_IsOnlyDisplayed_Cleaned()
    {
        var (client, token) = await NewCaseAsync();

        using var response = await EvidenceUploads.UploadAsync(client, token, "../../../etc/pass\u0007wd\u202E.eml", "message/rfc822", Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("path " + Guid.NewGuid())));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await EvidenceUploads.PageAsync(client);
        Assert.Equal("passwd.eml", page.QuerySelector("[data-testid=evidence-file] .file-name")?.TextContent);
        Assert.All(Directory.EnumerateFiles(factory.DataDirectory, "*", SearchOption.AllDirectories), f => Assert.DoesNotContain("pass", Path.GetFileName(f), StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "..", "etc", "password.eml")));
    }

    [Theory]
    [InlineData("bom")]
    [InlineData("crlf")]
    [InlineData("lf")]
    [InlineData("bom+crlf")]
    public async Task Upload_EmailAfterByteOrderMarkOrBlankLine_IsStoredAndReadAsEmail(string lead)
    {
        // Saved by editors and some mail apps this way; such a file used to be refused as .eml (415) and kept unread as .txt.
        var (client, token) = await NewCaseAsync();
        byte[] prefix = lead switch
        {
            "bom" => [0xEF, 0xBB, 0xBF],
            "crlf" => "\r\n"u8.ToArray(),
            "lf" => "\n"u8.ToArray(),
            _ => [0xEF, 0xBB, 0xBF, (byte)'\r', (byte)'\n'],
        };
        byte[] email = [.. prefix, .. Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("lead " + Guid.NewGuid()))];

        using var asEml = await EvidenceUploads.UploadAsync(client, token, "saved.eml", "message/rfc822", email);

        Assert.Equal(HttpStatusCode.Redirect, asEml.StatusCode);
        await EvidenceUploads.AnalysePendingAsync(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var sha256 = SHA256.HashData(email);
        var evidence = await db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.Sha256 == sha256);
        Assert.Equal(EvidenceKind.Email, evidence.Kind);
        Assert.Equal("message/rfc822", evidence.MediaType);
        var parsed = EmailSummary.Open(scope.ServiceProvider.GetRequiredService<Portal.Core.Crypto.EnvelopeCipher>(), evidence.ParsedEnvelope);
        Assert.Equal("Your therapy records", parsed?.Subject);
        Assert.Equal("ransom@extortion.example", parsed?.From?.Address);
        Assert.Empty(parsed?.Warnings ?? ["not read"]);
    }

    [Fact]
    public async Task Upload_NameWithBrowserEscapedQuotesAndLineBreaks_IsShownWithItsQuotes()
    {
        // Browsers send " CR LF in a multipart file name as %22 %0D %0A, and every other character as it is.
        var (client, token) = await NewCaseAsync();

        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail("escaped " + Guid.NewGuid())));
        file.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"Re %22pay now%22%0D%0A 100%25.eml\"" };

        using var response = await EvidenceUploads.UploadAsync(client, token, "as-sent-above.eml", "message/rfc822", file);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await EvidenceUploads.PageAsync(client);
        Assert.Equal("Re \"pay now\" 100%25.eml", page.QuerySelector("[data-testid=evidence-file] .file-name")?.TextContent);

        // Read now, so that tests counting the files they leave for the analysis see only theirs.
        await EvidenceUploads.AnalysePendingAsync(factory);
    }

    [Fact]
    public async Task Paste_EmailSource_IsStoredAsEml_AndAMessagesTextAlone_AsText()
    {
        // Issue 15: many mail apps let a victim copy only the message's text; it used to be refused and wiped.
        var (client, _) = await NewCaseAsync();
        var page = await EvidenceUploads.PageAsync(client);

        using var text = await client.SubmitAsync(page, "/status/evidence/paste", new Dictionary<string, string?> { ["source"] = "Dear victim, pay me." });
        using var stored = await client.SubmitAsync(page, "/status/evidence/paste", new Dictionary<string, string?> { ["source"] = EvidenceUploads.SampleEmail("pasted " + Guid.NewGuid()) });

        Assert.Equal(HttpStatusCode.Redirect, text.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, stored.StatusCode);
        var list = await EvidenceUploads.PageAsync(client);
        Assert.Equal(["pasted-message.eml", "pasted-text.txt"], list.QuerySelectorAll("[data-testid=evidence-file] .file-name").Select(e => e.TextContent).Order(StringComparer.Ordinal));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var files = await db.EvidenceFiles.Select(e => new { e.Kind, e.Source, e.MediaType }).ToListAsync();
        Assert.Contains(files, e => e.Kind == EvidenceKind.Email && e.Source == EvidenceSource.Pasted && e.MediaType == "message/rfc822");
        Assert.Contains(files, e => e.Kind == EvidenceKind.Text && e.Source == EvidenceSource.Pasted && e.MediaType == "text/plain");
    }

    protected Task<(HttpClient Client, string Token)> NewCaseAsync() => EvidenceUploads.NewCaseAsync(factory);

    protected async Task<int> CountRowsAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().EvidenceFiles.CountAsync();
    }

    protected List<string> BlobFiles()
    {
        var directory = Path.Combine(factory.DataDirectory, "evidence");
        return Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToList() : [];
    }

    protected string Message(string key)
    {
        using var scope = factory.Services.CreateScope();
        var localizer = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<Portal.Web.SharedResource>>();
        var limits = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<EvidenceOptions>>().Value;
        return localizer[key, Portal.Web.Components.EvidenceList.FormatSize(limits.MaxFileBytes), limits.MaxFilesPerCase, Portal.Web.Components.EvidenceList.FormatSize(limits.MaxBytesPerCase)];
    }
}

public static class EvidenceSamples
{
    public static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4];

    public static TheoryData<string, string?, byte[], HttpStatusCode, string> Refused => new()
    {
        { "photo.png", "application/pdf", Png, HttpStatusCode.UnsupportedMediaType, "TypeMismatch" },
        { "report.pdf", "application/pdf", Png, HttpStatusCode.UnsupportedMediaType, "TypeMismatch" },
        { "tool.exe", "application/octet-stream", [0x4D, 0x5A, 0x90, 0x00, 0x03, 0, 0, 0, 0x04, 0, 0, 0, 0xFF, 0xFF], HttpStatusCode.UnsupportedMediaType, "UnsupportedType" },
        { "page.html", "text/html", Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>"), HttpStatusCode.UnsupportedMediaType, "TypeMismatch" },
        { "image.svg", "image/svg+xml", Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), HttpStatusCode.UnsupportedMediaType, "TypeMismatch" },
        { "document.doc", "application/msword", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0], HttpStatusCode.UnsupportedMediaType, "UnsupportedType" },
        { "empty.eml", "message/rfc822", [], HttpStatusCode.UnprocessableEntity, "Empty" },
        { "", null, [], HttpStatusCode.UnprocessableEntity, "Empty" },
    };
}

public sealed class SqliteEvidenceUploadTests(SqlitePortalFactory factory)
    : EvidenceUploadTests<SqlitePortalFactory>(factory), IClassFixture<SqlitePortalFactory>;

public sealed class PostgresEvidenceUploadTests(PostgresPortalFactory factory)
    : EvidenceUploadTests<PostgresPortalFactory>(factory), IClassFixture<PostgresPortalFactory>;
