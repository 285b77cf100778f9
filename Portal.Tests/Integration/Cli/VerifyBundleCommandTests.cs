using Portal.Tests.Support;
using Portal.Web.Cli;

namespace Portal.Tests.Integration.Cli;

/// <summary>verify-bundle on what is not a bundle: a clear message and a non-zero exit, never a stack trace.</summary>
public sealed class VerifyBundleCommandTests
{
    private readonly string directory = TestDatabases.NewTempDirectory();

    [Fact]
    public async Task NotAZip_FailsWithAClearVerdict()
    {
        var path = Path.Combine(directory, "notes.zip");
        await File.WriteAllTextAsync(path, "not a zip at all");
        using var output = new StringWriter();

        var exit = await PortalCommands.RunAsync(["verify-bundle", path], null, output, TextWriter.Null);

        Assert.Equal(1, exit);
        Assert.Contains("cannot be read as a ZIP archive", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("NOT VERIFIED", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AZipWithoutManifest_Fails_NamingWhatIsMissing()
    {
        var path = Path.Combine(directory, "plain.zip");
        using (var archive = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("evidence/01-a.txt").Open());
            await writer.WriteAsync("hello");
        }

        using var output = new StringWriter();

        var exit = await PortalCommands.RunAsync(["verify-bundle", path], null, output, TextWriter.Null);

        Assert.Equal(1, exit);
        Assert.Contains("manifest.json: missing from the archive", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("manifest.json.sig: missing from the archive", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFile_OrNoArgument_IsAUsageError()
    {
        using var errors = new StringWriter();

        Assert.Equal(2, await PortalCommands.RunAsync(["verify-bundle", Path.Combine(directory, "nope.zip")], null, TextWriter.Null, errors));
        Assert.Equal(2, await PortalCommands.RunAsync(["verify-bundle"], null, TextWriter.Null, errors));
        Assert.Contains("no such file", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("verify-bundle", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("Run with --help for usage.", errors.ToString(), StringComparison.Ordinal);
    }
}
