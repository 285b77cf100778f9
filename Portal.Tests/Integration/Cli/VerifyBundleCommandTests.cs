using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
    public async Task AnExtractedBundleDirectory_IsVerified_AndAChangedOrAddedFileIsNamed()
    {
        var (extracted, key) = await SignedBundleAsync();
        var zip = Path.Combine(directory, "bundle.zip");
        ZipFile.CreateFromDirectory(extracted, zip);

        var (zipExit, zipOutput, _) = await VerifyAsync("verify-bundle", zip, "--key", key);
        Assert.True(zipExit == 0, zipOutput);

        var (exit, output, errors) = await VerifyAsync("verify-bundle", extracted, "--key", key);
        Assert.True(exit == 0, output + errors);
        Assert.Contains($"Bundle: {extracted} (the files of an extracted bundle)", output, StringComparison.Ordinal);
        Assert.Contains("ok    evidence/01-a.txt: SHA-256", output, StringComparison.Ordinal);
        Assert.Contains("VERIFIED", output, StringComparison.Ordinal);
        Assert.DoesNotContain("no such file", errors, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(extracted, "evidence", "01-a.txt"), "hellO");
        await File.WriteAllTextAsync(Path.Combine(extracted, "notes.txt"), "mine");
        var (changed, changedOutput, _) = await VerifyAsync("verify-bundle", extracted);
        Assert.Equal(1, changed);
        Assert.Contains("FAIL  evidence/01-a.txt: SHA-256", changedOutput, StringComparison.Ordinal);
        Assert.Contains("FAIL  notes.txt: in the directory but not listed in the manifest", changedOutput, StringComparison.Ordinal);
        Assert.Contains("NOT VERIFIED", changedOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectoryThatIsNoBundle_Fails_NamingWhatIsMissing()
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "a.txt"), "hello");

        var (exit, output, _) = await VerifyAsync("verify-bundle", directory);

        Assert.Equal(1, exit);
        Assert.Contains("manifest.json: missing from the directory", output, StringComparison.Ordinal);
        Assert.Contains("NOT VERIFIED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyFileThatIsNoPublicKey_SaysSo_WithoutTheRuntimesWords_AndExitsWith2()
    {
        var (extracted, _) = await SignedBundleAsync();
        var email = Path.Combine(directory, "some.eml");
        await File.WriteAllTextAsync(email, EvidenceUploads.SampleEmail());

        foreach (var key in new[] { email, directory })
        {
            var (exit, output, errors) = await VerifyAsync("verify-bundle", extracted, "--key", key);

            Assert.Equal(2, exit);
            Assert.Contains($"{key}: ", errors, StringComparison.Ordinal);
            Assert.Contains("not a PEM public key", errors, StringComparison.Ordinal);
            Assert.Contains("-----BEGIN PUBLIC KEY-----", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("Parameter", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("PEM-encoded key file", errors, StringComparison.Ordinal);
            Assert.DoesNotContain("VERIFIED", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnEmbeddedKeyThatIsNoKey_FailsTheBundle_WithoutTheRuntimesWords()
    {
        var (extracted, _) = await SignedBundleAsync();
        await File.WriteAllTextAsync(Path.Combine(extracted, "signing-key.pem"), "not a key");

        var (exit, output, _) = await VerifyAsync("verify-bundle", extracted);

        Assert.Equal(1, exit);
        Assert.Contains("the public key inside the bundle: not an EC public key in PEM form", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", output, StringComparison.Ordinal);
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
    private static async Task<(int Exit, string Output, string Errors)> VerifyAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await PortalCommands.RunAsync(args, null, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    /// <summary>A bundle as the portal lays it out (evidence, signing-key.pem, SHA256SUMS, signed manifest), extracted into a directory; and its public key in a file of its own.</summary>
    private async Task<(string Extracted, string KeyFile)> SignedBundleAsync()
    {
        var extracted = Path.Combine(directory, "extracted-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(extracted, "evidence"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportSubjectPublicKeyInfoPem() + "\n";
        var files = new List<(string Name, byte[] Content)>
        {
            ("evidence/01-a.txt", Encoding.UTF8.GetBytes("hello")),
            ("signing-key.pem", Encoding.ASCII.GetBytes(pem)),
        };
        var sums = string.Concat(files.Select(f => $"{Convert.ToHexStringLower(SHA256.HashData(f.Content))}  {f.Name}\n"));
        files.Add(("SHA256SUMS", Encoding.ASCII.GetBytes(sums)));
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new
        {
            format = "portal-evidence-bundle/1",
            caseReference = "TEST-0001",
            signature = new { publicKeySha256 = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())) },
            files = files.Select(f => new { name = f.Name, size = f.Content.Length, sha256 = Convert.ToHexStringLower(SHA256.HashData(f.Content)) }),
        });
        foreach (var (name, content) in files)
        {
            await File.WriteAllBytesAsync(Path.Combine(extracted, name), content);
        }

        await File.WriteAllBytesAsync(Path.Combine(extracted, "manifest.json"), manifest);
        await File.WriteAllBytesAsync(Path.Combine(extracted, "manifest.json.sig"), key.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var keyFile = Path.Combine(directory, "portal-key.pem");
        await File.WriteAllTextAsync(keyFile, pem);
        return (extracted, keyFile);
    }
}
