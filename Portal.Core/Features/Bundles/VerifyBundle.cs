using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Portal.Core.Features.Bundles;

/// <summary>What checking a bundle found: each problem in words, and what was checked.</summary>
public sealed record BundleVerification(string? CaseReference, string? EmbeddedKeySha256, bool CheckedAgainstGivenKey, IReadOnlyList<string> Checked, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0 && Checked.Count > 0;
}

/// <summary>
/// Checks an evidence bundle with nothing but the file (and optionally the publisher's public
/// key): the signature over manifest.json, every entry's size and SHA-256 against the manifest,
/// SHA256SUMS against the same, and that the manifest lists exactly the entries present.
/// Needs no database, keys or network; reads one entry at a time.
/// </summary>
public static class VerifyBundle
{
    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web);

    private static readonly HashSet<string> Seal = [BuildCaseBundleHandler.ManifestName, BuildCaseBundleHandler.SignatureName];

    public static async Task<BundleVerification> CheckAsync(string zipPath, string? givenPublicKeyPem, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var checkedItems = new List<string>();
        ZipArchive archive;
        try
        {
            archive = await ZipArchive.CreateAsync(File.OpenRead(zipPath), ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new BundleVerification(null, null, false, [], [$"{zipPath} cannot be read as a ZIP archive: {exception.Message}"]);
        }

        await using (archive)
        {
            var present = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in archive.Entries.Where(e => !e.FullName.EndsWith('/')))
            {
                if (!present.TryAdd(entry.FullName, entry))
                {
                    problems.Add($"{entry.FullName}: appears twice in the archive");
                }
            }

            var manifestBytes = await ReadAsync(present, BuildCaseBundleHandler.ManifestName, problems, cancellationToken);
            var signature = await ReadAsync(present, BuildCaseBundleHandler.SignatureName, problems, cancellationToken);
            var embeddedPem = await ReadAsync(present, BuildCaseBundleHandler.PublicKeyName, problems, cancellationToken);
            if (manifestBytes is null)
            {
                return new BundleVerification(null, null, false, checkedItems, problems);
            }

            string? embeddedFingerprint = null;
            if (embeddedPem is not null && signature is not null)
            {
                embeddedFingerprint = CheckSignature(manifestBytes, signature, Encoding.ASCII.GetString(embeddedPem), "the public key inside the bundle", problems, checkedItems);
            }

            if (givenPublicKeyPem is not null && signature is not null)
            {
                CheckSignature(manifestBytes, signature, givenPublicKeyPem, "the public key given with --key", problems, checkedItems);
            }

            Manifest? manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<Manifest>(manifestBytes, ManifestJson);
            }
            catch (JsonException exception)
            {
                problems.Add($"{BuildCaseBundleHandler.ManifestName}: not valid JSON ({exception.Message})");
                return new BundleVerification(null, embeddedFingerprint, givenPublicKeyPem is not null, checkedItems, problems);
            }

            if (manifest?.Files is null || manifest.Format != BuildCaseBundleHandler.Format)
            {
                problems.Add($"{BuildCaseBundleHandler.ManifestName}: not a {BuildCaseBundleHandler.Format} manifest");
                return new BundleVerification(manifest?.CaseReference, embeddedFingerprint, givenPublicKeyPem is not null, checkedItems, problems);
            }

            if (embeddedFingerprint is not null && manifest.Signature?.PublicKeySha256 != embeddedFingerprint)
            {
                problems.Add($"{BuildCaseBundleHandler.PublicKeyName}: is not the key the manifest names ({manifest.Signature?.PublicKeySha256})");
            }

            var actual = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in manifest.Files)
            {
                if (file.Name is null || !present.TryGetValue(file.Name, out var entry))
                {
                    problems.Add($"{file.Name}: listed in the manifest but missing from the archive");
                    continue;
                }

                var (sha256, size, error) = await HashAsync(entry, cancellationToken);
                if (error is not null)
                {
                    problems.Add($"{file.Name}: cannot be read ({error})");
                    continue;
                }

                actual[file.Name] = sha256;
                if (size != file.Size)
                {
                    problems.Add($"{file.Name}: {size} bytes, the manifest says {file.Size}");
                }
                else if (!string.Equals(sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{file.Name}: SHA-256 {sha256} does not match the manifest's {file.Sha256}");
                }
                else
                {
                    checkedItems.Add($"{file.Name}: SHA-256 {sha256} and size {size} match the manifest");
                }
            }

            var listed = manifest.Files.Select(f => f.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
            foreach (var name in present.Keys.Where(n => !listed.Contains(n) && !Seal.Contains(n)).Order(StringComparer.Ordinal))
            {
                problems.Add($"{name}: in the archive but not listed in the manifest");
            }

            CheckSums(present, actual, problems, checkedItems);
            return new BundleVerification(manifest.CaseReference, embeddedFingerprint, givenPublicKeyPem is not null, checkedItems, problems);
        }
    }

    private static string? CheckSignature(byte[] manifest, byte[] signature, string pem, string which, List<string> problems, List<string> checkedItems)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            problems.Add($"{which}: not an EC public key in PEM form ({exception.Message})");
            return null;
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        if (key.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
        {
            checkedItems.Add($"{BuildCaseBundleHandler.SignatureName}: a valid signature of {BuildCaseBundleHandler.ManifestName} by {which} (SHA-256 {fingerprint})");
        }
        else
        {
            problems.Add($"{BuildCaseBundleHandler.SignatureName}: is not a valid signature of {BuildCaseBundleHandler.ManifestName} by {which} (SHA-256 {fingerprint})");
        }

        return fingerprint;
    }

    private static void CheckSums(Dictionary<string, ZipArchiveEntry> present, Dictionary<string, string> actual, List<string> problems, List<string> checkedItems)
    {
        if (!actual.ContainsKey(BuildCaseBundleHandler.ChecksumsName))
        {
            return;
        }

        using var reader = new StreamReader(present[BuildCaseBundleHandler.ChecksumsName].Open(), Encoding.ASCII);
        var lines = 0;
        while (reader.ReadLine() is { } line)
        {
            lines++;
            var separator = line.IndexOf("  ", StringComparison.Ordinal);
            var name = separator == 64 ? line[66..] : null;
            if (name is null || !actual.TryGetValue(name, out var sha256) || !string.Equals(sha256, line[..64], StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{BuildCaseBundleHandler.ChecksumsName}: line {lines} does not match the entry it names");
            }
        }

        checkedItems.Add($"{BuildCaseBundleHandler.ChecksumsName}: {lines} lines read");
    }

    private static async Task<byte[]?> ReadAsync(Dictionary<string, ZipArchiveEntry> present, string name, List<string> problems, CancellationToken cancellationToken)
    {
        if (!present.TryGetValue(name, out var entry))
        {
            problems.Add($"{name}: missing from the archive");
            return null;
        }

        if (entry.Length > 16 * 1024 * 1024)
        {
            problems.Add($"{name}: implausibly large ({entry.Length} bytes)");
            return null;
        }

        try
        {
            await using var stream = await entry.OpenAsync(cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (InvalidDataException exception)
        {
            problems.Add($"{name}: cannot be read ({exception.Message})");
            return null;
        }
    }

    private static async Task<(string Sha256, long Size, string? Error)> HashAsync(ZipArchiveEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await entry.OpenAsync(cancellationToken);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[256 * 1024];
            long size = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                size += read;
            }

            return (Convert.ToHexStringLower(sha.GetHashAndReset()), size, null);
        }
        catch (InvalidDataException exception)
        {
            return ("", 0, exception.Message);
        }
    }

    private sealed record Manifest(string? Format, string? CaseReference, ManifestSignature? Signature, IReadOnlyList<ManifestFile>? Files);

    private sealed record ManifestSignature(string? PublicKeySha256);

    private sealed record ManifestFile(string? Name, long Size, string? Sha256);
}
