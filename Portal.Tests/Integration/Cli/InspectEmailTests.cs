using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Portal.Tests.Support;
using Portal.Web.Cli;

namespace Portal.Tests.Integration.Cli;

/// <summary>The offline verb police use on a folder of saved emails.</summary>
public sealed class InspectEmailTests
{
    private readonly string directory = TestDatabases.NewTempDirectory();

    [Fact]
    public async Task Directory_OfThousandsOfEmails_GivesOneJsonObjectPerFile()
    {
        const int count = 2000;
        for (var i = 0; i < count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, $"mail-{i:D4}.eml"), EvidenceUploads.SampleEmail($"Message {i}: pay 0.{i % 9 + 1} BTC within 48 hours."));
        }

        await File.WriteAllBytesAsync(Path.Combine(directory, "garbage.bin"), RandomNumberGenerator.GetBytes(5000));
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var exit = await PortalCommands.RunAsync(["inspect-email", directory], null, output, errors);

        Assert.Equal(0, exit);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(count + 1, lines.Length);
        var first = JsonDocument.Parse(lines[1]).RootElement;
        Assert.EndsWith("mail-0000.eml", first.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal("ransom@extortion.example", first.GetProperty("from").GetProperty("address").GetString());
        Assert.Equal("Your therapy records", first.GetProperty("subject").GetString());
        Assert.Equal("mail.extortion.example", first.GetProperty("received")[0].GetProperty("fromHost").GetString());
        Assert.Equal("203.0.113.9", first.GetProperty("received")[0].GetProperty("fromIp").GetString());
        var indicators = first.GetProperty("indicators").EnumerateArray().Select(i => (i.GetProperty("kind").GetString(), i.GetProperty("value").GetString())).ToList();
        Assert.Contains(("BitcoinAddress", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"), indicators);
        Assert.Contains(("Amount", "0.1"), indicators);
        Assert.Contains(("Deadline", "48"), indicators);
        Assert.DoesNotContain(("EmailAddress", "victim@victim.example"), indicators);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(directory, "mail-0000.eml"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), first.GetProperty("sha256").GetString());

        var garbage = JsonDocument.Parse(lines[0]).RootElement;
        Assert.EndsWith("garbage.bin", garbage.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(0, garbage.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public async Task MissingPath_IsReported_AndTheRestIsStillRead()
    {
        var file = Path.Combine(directory, "one.eml");
        await File.WriteAllTextAsync(file, EvidenceUploads.SampleEmail());
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var exit = await PortalCommands.RunAsync(["inspect-email", Path.Combine(directory, "nope.eml"), file], null, output, errors);

        Assert.Equal(1, exit);
        Assert.Contains("nope.eml: no such file or directory", errors.ToString(), StringComparison.Ordinal);
        Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task AFileThatCannotBeRead_IsNamedInWords_AndTheRestIsStillRead()
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "one.eml"), EvidenceUploads.SampleEmail());
        var dangling = Path.Combine(directory, "gone.eml");
        File.CreateSymbolicLink(dangling, Path.Combine(directory, "deleted.eml"));
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var exit = await PortalCommands.RunAsync(["inspect-email", directory], null, output, errors);

        Assert.Equal(1, exit);
        Assert.Equal($"{dangling}: cannot be read (not found, or a link to nothing)", errors.ToString().Trim());
        Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task TheExecutable_RunsTheVerb_WithoutDatabaseOrKeys()
    {
        var file = Path.Combine(directory, "real.eml");
        await File.WriteAllTextAsync(file, EvidenceUploads.SampleEmail("real run"), Encoding.UTF8);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        start.ArgumentList.Add(RepositoryFiles.PathOf("Portal.Web", "bin", configuration, "net10.0", "Portal.Web.dll"));
        start.ArgumentList.Add("inspect-email");
        start.ArgumentList.Add(file);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("<abc123@extortion.example>".Trim('<', '>'), JsonDocument.Parse(stdout).RootElement.GetProperty("messageId").GetString());
        Assert.False(Directory.Exists(Path.Combine(directory, "data")), "an offline verb created a data directory");
    }
}
