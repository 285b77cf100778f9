using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Triage;

namespace Portal.Core.Features.Bundles;

public abstract record CaseBundleResult
{
    private CaseBundleResult()
    {
    }

    public sealed record NotFound : CaseBundleResult;

    /// <summary>A file is missing, or failed authentication or its hash: nothing was sent.</summary>
    public sealed record Blocked(string Reference, EvidenceSummary File, string Problem) : CaseBundleResult;

    /// <summary>
    /// Checked as far as can be before streaming; <see cref="WriteToAsync"/> writes the ZIP and
    /// throws <see cref="EvidenceIntegrityException"/> (after which the output must be abandoned)
    /// if a file fails while it streams.
    /// </summary>
    public sealed record Ready(string Reference, string FileName, Func<Stream, CancellationToken, Task> WriteToAsync) : CaseBundleResult;
}

/// <summary>Thrown while a bundle streams when an evidence file fails authentication or its stored hash.</summary>
public sealed class EvidenceIntegrityException(EvidenceSummary file, string problem)
    : Exception($"Evidence {file.Id} failed its integrity check: {problem}")
{
    public EvidenceSummary File { get; } = file;

    public string Problem { get; } = problem;
}

/// <summary>One entry of the bundle as the manifest lists it.</summary>
public sealed record BundleEntry(string Name, string MediaType, long Size, string Sha256, string? OriginalName = null, DateTime? ReceivedAt = null);

/// <summary>
/// A case's evidence bundle: a ZIP of stored entries, streamed in constant memory. Entry order:
/// the evidence files first (each decrypted chunk by chunk, its hash compared before its entry is
/// closed), then the documents made from the database, then SHA256SUMS, manifest.json listing
/// everything before it, and last manifest.json.sig, so the manifest is written only after every
/// file it vouches for has been checked. See docs/decisions/0014.
/// </summary>
public sealed class BuildCaseBundleHandler(
    PortalDbContext db,
    GetCaseDetailsHandler details,
    IEvidenceStore store,
    EnvelopeCipher cipher,
    BundleSigningKey signingKey,
    TimeProvider clock,
    IOptions<BundleOptions> options)
{
    public const string ManifestName = "manifest.json";
    public const string SignatureName = "manifest.json.sig";
    public const string ChecksumsName = "SHA256SUMS";
    public const string PublicKeyName = "signing-key.pem";
    public const string Format = "portal-evidence-bundle/1";

    public static string GeneratorVersion { get; } =
        typeof(BuildCaseBundleHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public async Task<CaseBundleResult> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var found = await details.HandleAsync(caseId, cancellationToken);
        if (found is null)
        {
            return new CaseBundleResult.NotFound();
        }

        var files = found.Evidence.Select(e => e.File).ToList();
        var verifyWhole = files.Sum(f => f.Size) <= options.Value.VerifyBeforeStreamingBytes;
        foreach (var file in files)
        {
            var problem = await CheckAsync(file, verifyWhole, cancellationToken);
            if (problem is not null)
            {
                return new CaseBundleResult.Blocked(found.Reference, file, problem);
            }
        }

        return new CaseBundleResult.Ready(found.Reference, $"evidence-bundle-{found.Reference}.zip", (output, token) => WriteAsync(found, output, token));
    }

    /// <summary>What is wrong with a stored file, or null. Whole files are read only when <paramref name="verifyWhole"/>.</summary>
    private async Task<string?> CheckAsync(EvidenceSummary file, bool verifyWhole, CancellationToken cancellationToken)
    {
        if (!store.Exists(file.Id))
        {
            return "the stored file is missing";
        }

        try
        {
            await using (var envelope = store.OpenRead(file.Id))
            {
                if (await cipher.PlaintextLengthAsync(envelope, cancellationToken) != file.Size)
                {
                    return "the stored file is truncated or has grown";
                }
            }

            if (!verifyWhole)
            {
                return null;
            }

            await using (var envelope = store.OpenRead(file.Id))
            {
                var verified = await cipher.VerifyAsync(envelope, cancellationToken);
                return Matches(file, verified) ? null : "its content no longer matches the SHA-256 recorded on arrival";
            }
        }
        catch (EnvelopeTamperedException exception)
        {
            return exception.Message;
        }
    }

    private static bool Matches(EvidenceSummary file, EnvelopeInfo info) =>
        info.Length == file.Size && Convert.ToHexStringLower(info.Sha256) == file.Sha256;

    private async Task WriteAsync(CaseDetails found, Stream output, CancellationToken cancellationToken)
    {
        var generatedAt = clock.GetUtcNow().UtcDateTime;
        // 1 MiB writes to the response instead of one per 64 KiB chunk: far fewer flushes and sends.
        // Not disposed: that would dispose the response stream; the writer flushes it at the end.
        var buffered = new BufferedStream(output, 1024 * 1024);
        var zip = new StreamingZipWriter(buffered, generatedAt);
        var entries = new List<BundleEntry>();
        var names = EvidenceEntryNames(found.Evidence.Select(e => e.File).ToList());

        foreach (var item in found.Evidence)
        {
            var file = item.File;
            var name = names[file.Id];
            await zip.AddStreamedAsync(name, file.Size, async (entry, token) =>
            {
                await using var envelope = store.OpenRead(file.Id);
                EnvelopeInfo decrypted;
                try
                {
                    // Each 64 KiB chunk is authenticated before any of it is written.
                    decrypted = await cipher.DecryptAsync(envelope, entry, token);
                }
                catch (EnvelopeTamperedException exception)
                {
                    throw new EvidenceIntegrityException(file, exception.Message);
                }

                if (!Matches(file, decrypted))
                {
                    throw new EvidenceIntegrityException(file, "its content no longer matches the SHA-256 recorded on arrival");
                }
            }, cancellationToken);
            entries.Add(new BundleEntry(name, file.MediaType, file.Size, file.Sha256, file.FileName, file.ReceivedAt));
        }

        var custody = await CustodyAsync(found.Id, cancellationToken);
        var documents = new BundleDocuments(found, names, generatedAt, GeneratorVersion);
        await AddAsync(zip, entries, "case.json", "application/json", documents.CaseJson(), cancellationToken);
        await AddAsync(zip, entries, "case.html", "text/html", documents.CaseHtml(), cancellationToken);
        await AddAsync(zip, entries, "case.jsonld", "application/ld+json", CaseUcoGraph.Build(found, names, custody, generatedAt, GeneratorVersion), cancellationToken);
        await AddAsync(zip, entries, "custody.json", "application/json", documents.CustodyJson(custody), cancellationToken);
        await AddAsync(zip, entries, PublicKeyName, "application/x-pem-file", Encoding.ASCII.GetBytes(signingKey.PublicKeyPem), cancellationToken);

        // sha256sum's format: hash, two spaces (text mode), name. Names are ASCII without newlines.
        var sums = new StringBuilder();
        foreach (var entry in entries)
        {
            sums.Append(entry.Sha256).Append("  ").Append(entry.Name).Append('\n');
        }

        await AddAsync(zip, entries, ChecksumsName, "text/plain", Encoding.ASCII.GetBytes(sums.ToString()), cancellationToken);

        var manifest = documents.Manifest(entries, signingKey.Fingerprint);
        await zip.AddAsync(ManifestName, manifest, cancellationToken);
        await zip.AddAsync(SignatureName, signingKey.Sign(manifest), cancellationToken);
        await zip.FinishAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<CustodyEvent>> CustodyAsync(Guid caseId, CancellationToken cancellationToken) =>
        await (
            from a in db.AuditEntries.AsNoTracking().Where(a => a.CaseId == caseId)
            join u in db.Users on a.ActorId equals u.Id into users
            from u in users.DefaultIfEmpty()
            orderby a.Id
            select new CustodyEvent(a.Id, a.At, a.Action, a.ActorKind, a.ActorId, u == null ? null : u.DisplayName, a.Subject, a.Detail, a.Mac))
            .ToListAsync(cancellationToken);

    private static async Task AddAsync(StreamingZipWriter zip, List<BundleEntry> entries, string name, string mediaType, byte[] content, CancellationToken cancellationToken)
    {
        await zip.AddAsync(name, content, cancellationToken);
        entries.Add(new BundleEntry(name, mediaType, content.Length, Convert.ToHexStringLower(SHA256.HashData(content))));
    }

    /// <summary>
    /// evidence/NN-name: numbered in the order received (an exhibit number, and never two alike),
    /// with the victim's name reduced to characters every unzip, file system and sha256sum
    /// takes as they are. The original name is kept in the manifest.
    /// </summary>
    public static IReadOnlyDictionary<Guid, string> EvidenceEntryNames(IReadOnlyList<EvidenceSummary> files)
    {
        var width = Math.Max(2, files.Count.ToString(CultureInfo.InvariantCulture).Length);
        var names = new Dictionary<Guid, string>();
        for (var i = 0; i < files.Count; i++)
        {
            var safe = new StringBuilder();
            foreach (var c in files[i].FileName.Normalize(NormalizationForm.FormD))
            {
                if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
                {
                    safe.Append(c);
                }
                else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && (safe.Length == 0 || safe[^1] != '_'))
                {
                    safe.Append('_');
                }
            }

            var cleaned = safe.ToString().Trim('.', '_');
            if (cleaned.Length == 0)
            {
                cleaned = "file";
            }

            names[files[i].Id] = $"evidence/{(i + 1).ToString(new string('0', width), CultureInfo.InvariantCulture)}-{(cleaned.Length > 120 ? cleaned[^120..] : cleaned)}";
        }

        return names;
    }
}

/// <summary>One audit trail entry about the case, as the custody log lists it.</summary>
public sealed record CustodyEvent(long Id, DateTime At, string Action, AuditActor ActorKind, string? ActorId, string? ActorName, string? Subject, string? Detail, byte[] Mac);
