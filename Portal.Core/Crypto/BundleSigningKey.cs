using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Crypto;

/// <summary>Where the bundle signing key comes from: PEM text from configuration wins over the file in the key directory.</summary>
public sealed class BundleSigningKeyOptions
{
    public required string Directory { get; init; }

    /// <summary>A PKCS#8 (or SEC1) PEM private key on P-256, e.g. from an environment variable.</summary>
    public string? Pem { get; init; }

    /// <summary>Generate the key file when missing (Development and tests only).</summary>
    public bool CreateIfMissing { get; init; }
}

/// <summary>
/// The ECDSA P-256 key that signs evidence bundles' manifests. Like the master key it lives
/// outside the database (a file <c>bundle-signing.pem</c> in the key directory, or configuration);
/// its public half is published so that anyone can check a bundle with openssl.
/// </summary>
public sealed class BundleSigningKey : IDisposable
{
    public const string FileName = "bundle-signing.pem";

    private readonly ECDsa key;
    private readonly Lock gate = new();

    private BundleSigningKey(ECDsa key)
    {
        this.key = key;
        var publicKey = key.ExportSubjectPublicKeyInfo();
        PublicKeyPem = PemEncoding.WriteString("PUBLIC KEY", publicKey) + "\n";
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(publicKey));
    }

    /// <summary>The public key as "-----BEGIN PUBLIC KEY-----" PEM, what openssl dgst -verify takes.</summary>
    public string PublicKeyPem { get; }

    /// <summary>SHA-256 of the public key's DER (SubjectPublicKeyInfo) in lower-case hex: <c>openssl pkey -pubin -outform DER | sha256sum</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>An ECDSA-SHA256 signature in the DER form openssl writes and reads.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        lock (gate)
        {
            return key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
    }

    public static BundleSigningKey Load(BundleSigningKeyOptions options, ILogger logger)
    {
        if (options.Pem is { Length: > 0 } pem)
        {
            return FromPem(pem, "Keys:BundleSigningKey");
        }

        var path = Path.Combine(options.Directory, FileName);
        if (!File.Exists(path))
        {
            if (!options.CreateIfMissing)
            {
                throw new InvalidOperationException($"The bundle signing key is missing: expected a P-256 private key in PEM form in {path} (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256), or Keys:BundleSigningKey.");
            }

            Directory.CreateDirectory(options.Directory);
            using var generated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, fileOptions))
            {
                writer.Write(generated.ExportPkcs8PrivateKeyPem());
                writer.Write('\n');
            }

            logger.LogWarning("Generated a new bundle signing key under {KeyDirectory}; publish its public key to the police partners who check bundles", options.Directory);
        }

        return FromPem(File.ReadAllText(path), path);
    }

    public static BundleSigningKey FromPem(string pem, string source)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{source} does not hold an EC private key in PEM form: {exception.Message}");
        }

        if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            key.Dispose();
            throw new InvalidOperationException($"{source} must hold a P-256 (prime256v1) key.");
        }

        try
        {
            // A public key alone imports too; signing would then fail on the first download.
            key.ExportParameters(true);
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{source} holds a public key; the private key is needed to sign.");
        }

        return new BundleSigningKey(key);
    }

    public void Dispose() => key.Dispose();
}
