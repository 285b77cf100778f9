using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Reports;
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
    EvidenceArchiver archiver,
    BundleSigningKey signingKey,
    TimeProvider clock,
    IOptions<BundleOptions> options,
    IOptions<ReportOptions> reports)
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

        // Documents of the victim's own case file go to police only when the victim shared them.
        var files = found.Evidence.Select(e => e.File).Concat(found.Shared.Documents).ToList();
        var verifyWhole = files.Sum(f => f.Size) <= options.Value.VerifyBeforeStreamingBytes;
        foreach (var file in files)
        {
            var problem = await archiver.ProblemAsync(file, verifyWhole, cancellationToken);
            if (problem is not null)
            {
                return new CaseBundleResult.Blocked(found.Reference, file, problem);
            }
        }

        return new CaseBundleResult.Ready(found.Reference, $"evidence-bundle-{found.Reference}.zip", (output, token) => WriteAsync(found, output, token));
    }

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
            await archiver.AddAsync(zip, names[file.Id], file, cancellationToken);
            entries.Add(new BundleEntry(names[file.Id], file.MediaType, file.Size, file.Sha256, file.FileName, file.ReceivedAt));
        }

        var documentNames = EvidenceArchiver.EntryNames(found.Shared.Documents, "documents");
        foreach (var file in found.Shared.Documents)
        {
            await archiver.AddAsync(zip, documentNames[file.Id], file, cancellationToken);
            entries.Add(new BundleEntry(documentNames[file.Id], file.MediaType, file.Size, file.Sha256, file.FileName, file.ReceivedAt));
        }

        var custody = await CustodyAsync(found.Id, cancellationToken);
        var documents = new BundleDocuments(found, reports.Value, names, generatedAt, GeneratorVersion);
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

    /// <summary>evidence/NN-name, numbered in the order received (see <see cref="EvidenceArchiver.EntryNames"/>).</summary>
    public static IReadOnlyDictionary<Guid, string> EvidenceEntryNames(IReadOnlyList<EvidenceSummary> files) =>
        EvidenceArchiver.EntryNames(files, "evidence");
}

/// <summary>One audit trail entry about the case, as the custody log lists it.</summary>
public sealed record CustodyEvent(long Id, DateTime At, string Action, AuditActor ActorKind, string? ActorId, string? ActorName, string? Subject, string? Detail, byte[] Mac);
