using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Crypto;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Bundles;

/// <summary>The bundle signing key is configured like the master key: a file in the key directory or PEM in configuration.</summary>
public sealed class BundleSigningKeyTests
{
    private readonly string directory = TestDatabases.NewTempDirectory();

    [Fact]
    public void Missing_WithoutCreateIfMissing_StopsWithAMessageNamingTheFile()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BundleSigningKey.Load(new BundleSigningKeyOptions { Directory = directory }, NullLogger.Instance));

        Assert.Contains(Path.Combine(directory, BundleSigningKey.FileName), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_IsWrittenOwnerOnly_AndLoadsAgainAsTheSameKey()
    {
        using var first = BundleSigningKey.Load(new BundleSigningKeyOptions { Directory = directory, CreateIfMissing = true }, NullLogger.Instance);
        using var again = BundleSigningKey.Load(new BundleSigningKeyOptions { Directory = directory }, NullLogger.Instance);

        Assert.Equal(first.Fingerprint, again.Fingerprint);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, BundleSigningKey.FileName)));
        }

        using var verifier = ECDsa.Create();
        verifier.ImportFromPem(first.PublicKeyPem);
        Assert.True(verifier.VerifyData("manifest"u8, again.Sign("manifest"u8), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void PemFromConfiguration_WinsOverTheFile()
    {
        using var configured = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (BundleSigningKey.Load(new BundleSigningKeyOptions { Directory = directory, CreateIfMissing = true }, NullLogger.Instance))
        {
        }

        using var key = BundleSigningKey.Load(new BundleSigningKeyOptions { Directory = directory, Pem = configured.ExportPkcs8PrivateKeyPem() }, NullLogger.Instance);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(configured.ExportSubjectPublicKeyInfo())), key.Fingerprint);
    }

    [Fact]
    public void OtherCurves_PublicKeysAndGarbage_AreRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Contains("P-256", Assert.Throws<InvalidOperationException>(() => BundleSigningKey.FromPem(p384.ExportPkcs8PrivateKeyPem(), "test")).Message, StringComparison.Ordinal);
        Assert.Contains("public key", Assert.Throws<InvalidOperationException>(() => BundleSigningKey.FromPem(p256.ExportSubjectPublicKeyInfoPem(), "test")).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => BundleSigningKey.FromPem("not a key", "test"));
    }
}
