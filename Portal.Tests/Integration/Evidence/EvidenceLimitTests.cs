using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Evidence;

/// <summary>Per-file, per-case count and per-case size limits (set small here), each refused before anything is kept.</summary>
public sealed class EvidenceLimitTests(SmallLimitsSqliteFactory factory) : IClassFixture<SmallLimitsSqliteFactory>
{
    private const int Limit = SmallLimitsSqliteFactory.MaxFileBytes;

    [Fact]
    public async Task Upload_DeclaredFarOverTheLimit_Is413BeforeTheBodyIsRead()
    {
        var (client, token) = await NewCaseAsync();

        using var response = await EvidenceUploads.UploadAsync(client, token, "huge.txt", "text/plain", Text(4 * Limit, 'a'));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await CountRowsAsync(client));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task Upload_JustOverTheLimit_IsStoppedWhileStreaming_With413()
    {
        var (client, token) = await NewCaseAsync();

        using var response = await EvidenceUploads.UploadAsync(client, token, "over.txt", "text/plain", Text(Limit + 1, 'b'));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var page = await HtmlForms.ParseAsync(response);
        Assert.Contains("256 KB", page.QuerySelector("[data-testid=evidence-message]")?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Equal(0, await CountRowsAsync(client));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task Upload_ExactlyAtTheLimit_IsStored()
    {
        var (client, token) = await NewCaseAsync();

        using var response = await EvidenceUploads.UploadAsync(client, token, "exact.txt", "text/plain", Text(Limit, 'c'));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(1, await CountRowsAsync(client));
    }

    [Fact]
    public async Task Upload_OverTheCaseQuota_IsRefusedWithAClearMessage()
    {
        var (client, token) = await NewCaseAsync();
        using var first = await EvidenceUploads.UploadAsync(client, token, "first.txt", "text/plain", Text(Limit, 'd'));
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);

        using var second = await EvidenceUploads.UploadAsync(client, token, "second.txt", "text/plain", Text(Limit, 'e'));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, second.StatusCode);
        var message = (await HtmlForms.ParseAsync(second)).QuerySelector("[data-testid=evidence-message]")?.TextContent ?? "";
        Assert.Contains("limit", message, StringComparison.Ordinal);
        Assert.Equal(1, await CountRowsAsync(client));
        AssertNoTemporaryFiles();
    }

    [Fact]
    public async Task Upload_BeyondTheFileCount_IsRefused()
    {
        var (client, token) = await NewCaseAsync();
        for (var i = 0; i < 3; i++)
        {
            using var stored = await EvidenceUploads.UploadAsync(client, token, $"note{i}.txt", "text/plain", Encoding.UTF8.GetBytes($"note {i} {Guid.NewGuid()}"));
            Assert.Equal(HttpStatusCode.Redirect, stored.StatusCode);
        }

        using var fourth = await EvidenceUploads.UploadAsync(client, token, "note3.txt", "text/plain", Encoding.UTF8.GetBytes("one too many"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, fourth.StatusCode);
        Assert.Contains("3", (await HtmlForms.ParseAsync(fourth)).QuerySelector("[data-testid=evidence-message]")?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Equal(3, await CountRowsAsync(client));
    }

    [Fact]
    public async Task Upload_MultipartWithThousandsOfHeaders_IsRefusedAs400()
    {
        var (client, token) = await NewCaseAsync();
        var headers = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            headers.Append("X-Header-").Append(i).Append(": v\r\n");
        }

        var body = $"--b\r\nContent-Disposition: form-data; name=\"__af\"\r\n\r\n{token}\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n{headers}\r\nhello\r\n--b--\r\n";
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");

        using var response = await client.PostAsync("/status/evidence", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountRowsAsync(client));
    }

    private static byte[] Text(int length, char fill) => Encoding.ASCII.GetBytes(new string(fill, length - 1) + "\n");

    private Task<(HttpClient Client, string Token)> NewCaseAsync() => EvidenceUploads.NewCaseAsync(factory);

    /// <summary>Rows of the case the client holds, counted on its evidence page and in the database.</summary>
    private async Task<int> CountRowsAsync(HttpClient client)
    {
        var page = await EvidenceUploads.PageAsync(client);
        var shown = page.QuerySelectorAll("[data-testid=evidence-file]").Length;
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var blobs = Directory.Exists(Path.Combine(factory.DataDirectory, "evidence"))
            ? Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "evidence"), "*.pev", SearchOption.AllDirectories).Count()
            : 0;
        Assert.Equal(await db.EvidenceFiles.CountAsync(), blobs);
        return shown;
    }

    private void AssertNoTemporaryFiles()
    {
        var directory = Path.Combine(factory.DataDirectory, "evidence", "tmp");
        Assert.True(!Directory.Exists(directory) || !Directory.EnumerateFiles(directory).Any(), "a temporary file was left behind");
    }
}
