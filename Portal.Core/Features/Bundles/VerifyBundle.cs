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
/// Needs no database, keys or network; reads one entry at a time. The bundle may be the ZIP as
/// downloaded or a directory it was extracted into: the signed manifest vouches for the files,
/// not for the archive around them.
/// </summary>
public static class VerifyBundle
{
    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web);

    private static readonly HashSet<string> Seal = [BuildCaseBundleHandler.ManifestName, BuildCaseBundleHandler.SignatureName];

    /// <summary>Whether <paramref name="pem"/> holds a key that signatures can be checked with: PEM, EC (P-256).</summary>
    public static bool IsPublicKeyPem(string pem)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Checks the bundle at <paramref name="path"/>: a ZIP file, or a directory an unzipped bundle's files are in.</summary>
    public static async Task<BundleVerification> CheckAsync(string path, string? givenPublicKeyPem, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            return await CheckDirectoryAsync(path, givenPublicKeyPem, cancellationToken);
        }

        ZipArchive archive;
        try
        {
            archive = await ZipArchive.CreateAsync(File.OpenRead(path), ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return new BundleVerification(null, null, false, [], [$"{path} cannot be read as a ZIP archive: {Reason(exception)}"]);
        }

        await using (archive)
        {
            var entries = archive.Entries
                .Where(e => !e.FullName.EndsWith('/'))
                .Select(e => new BundleFile(e.FullName, e.Length, e.OpenAsync))
                .ToList();
            return await CheckFilesAsync(entries, "archive", givenPublicKeyPem, cancellationToken);
        }
    }

    private static async Task<BundleVerification> CheckDirectoryAsync(string directory, string? givenPublicKeyPem, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(directory);
        var files = new List<BundleFile>();
        var problems = new List<string>();
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var current))
        {
            try
            {
                foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }))
                {
                    var name = Path.GetRelativePath(root, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
                    if (entry is DirectoryInfo subdirectory)
                    {
                        // A link to a directory is not followed: it could lead out of the bundle, or in a circle.
                        if (subdirectory.LinkTarget is null)
                        {
                            pending.Push(subdirectory.FullName);
                        }
                        else
                        {
                            problems.Add($"{name}: a link to a directory, not part of a bundle");
                        }
                    }
                    else if (entry is FileInfo file)
                    {
                        files.Add(new BundleFile(name, file.Exists ? file.Length : 0, _ => Task.FromResult<Stream>(new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan))));
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                var name = Path.GetRelativePath(root, current).Replace(Path.DirectorySeparatorChar, '/');
                problems.Add($"{(name == "." ? directory : name)}: cannot be read ({Reason(exception)})");
            }
        }

        var result = await CheckFilesAsync(files, "directory", givenPublicKeyPem, cancellationToken);
        return problems.Count == 0 ? result : result with { Problems = [.. problems, .. result.Problems] };
    }

    private static async Task<BundleVerification> CheckFilesAsync(IReadOnlyList<BundleFile> files, string container, string? givenPublicKeyPem, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var checkedItems = new List<string>();
        var present = new Dictionary<string, BundleFile>(StringComparer.Ordinal);
        foreach (var entry in files)
        {
            if (!present.TryAdd(entry.Name, entry))
            {
                problems.Add($"{entry.Name}: appears twice in the {container}");
            }
        }

        var manifestBytes = await ReadAsync(present, BuildCaseBundleHandler.ManifestName, container, problems, cancellationToken);
        var signature = await ReadAsync(present, BuildCaseBundleHandler.SignatureName, container, problems, cancellationToken);
        var embeddedPem = await ReadAsync(present, BuildCaseBundleHandler.PublicKeyName, container, problems, cancellationToken);
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

        if (manifest?.Files is null || (manifest.Format != BuildCaseBundleHandler.Format && manifest.Format != CampaignBundleHandler.Format))
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
                problems.Add($"{file.Name}: listed in the manifest but missing from the {container}");
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
            problems.Add($"{name}: in the {container} but not listed in the manifest");
        }

        await CheckSumsAsync(present, actual, problems, checkedItems, cancellationToken);
        if (manifest.Format == CampaignBundleHandler.Format)
        {
            await CheckMemberBundlesAsync(present, listed, givenPublicKeyPem, problems, checkedItems, cancellationToken);
        }

        return new BundleVerification(manifest.CaseReference ?? manifest.CampaignReference, embeddedFingerprint, givenPublicKeyPem is not null, checkedItems, problems);
    }

    /// <summary>A campaign bundle's cases/*.zip are case bundles in their own right: each is checked whole, signature included.</summary>
    private static async Task CheckMemberBundlesAsync(Dictionary<string, BundleFile> present, HashSet<string> listed, string? givenPublicKeyPem, List<string> problems, List<string> checkedItems, CancellationToken cancellationToken)
    {
        foreach (var name in listed.Where(n => n.StartsWith("cases/", StringComparison.Ordinal) && n.EndsWith(".zip", StringComparison.Ordinal) && present.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            var copy = Path.Combine(Path.GetTempPath(), $"portal-verify-{Guid.NewGuid():N}.zip");
            try
            {
                await using (var source = await present[name].OpenAsync(cancellationToken))
                await using (var target = File.Create(copy))
                {
                    await source.CopyToAsync(target, cancellationToken);
                }

                var member = await CheckAsync(copy, givenPublicKeyPem, cancellationToken);
                problems.AddRange(member.Problems.Select(p => $"{name}: {p}"));
                if (member.IsValid)
                {
                    checkedItems.Add($"{name}: a valid case bundle ({member.Checked.Count} checks)");
                }
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{name}: cannot be read ({Reason(exception)})");
            }
            finally
            {
                File.Delete(copy);
            }
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
            problems.Add($"{which}: not an EC public key in PEM form");
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

    private static async Task CheckSumsAsync(Dictionary<string, BundleFile> present, Dictionary<string, string> actual, List<string> problems, List<string> checkedItems, CancellationToken cancellationToken)
    {
        if (!actual.ContainsKey(BuildCaseBundleHandler.ChecksumsName))
        {
            return;
        }

        using var reader = new StreamReader(await present[BuildCaseBundleHandler.ChecksumsName].OpenAsync(cancellationToken), Encoding.ASCII);
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

    private static async Task<byte[]?> ReadAsync(Dictionary<string, BundleFile> present, string name, string container, List<string> problems, CancellationToken cancellationToken)
    {
        if (!present.TryGetValue(name, out var entry))
        {
            problems.Add($"{name}: missing from the {container}");
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
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"{name}: cannot be read ({Reason(exception)})");
            return null;
        }
    }

    private static async Task<(string Sha256, long Size, string? Error)> HashAsync(BundleFile entry, CancellationToken cancellationToken)
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
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return ("", 0, Reason(exception));
        }
    }

    /// <summary>Why a file could not be read, in words: a permission or a missing file says so, a damaged archive says what.</summary>
    private static string Reason(Exception exception) => exception switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "not found",
        _ => exception.Message,
    };

    /// <summary>One file of the bundle, from the archive or from the directory it was extracted into.</summary>
    private sealed record BundleFile(string Name, long Length, Func<CancellationToken, Task<Stream>> OpenAsync);

    private sealed record Manifest(string? Format, string? CaseReference, string? CampaignReference, ManifestSignature? Signature, IReadOnlyList<ManifestFile>? Files);

    private sealed record ManifestSignature(string? PublicKeySha256);

    private sealed record ManifestFile(string? Name, long Size, string? Sha256);
}
