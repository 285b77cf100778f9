using System.Globalization;
using System.Text;
using Portal.Core.Crypto;
using Portal.Core.Features.Evidence;

namespace Portal.Core.Features.Bundles;

/// <summary>
/// Puts stored evidence files into a streamed ZIP, checked: before streaming, that each file is
/// there, authenticates and has the size recorded on arrival (and, when asked, its whole SHA-256);
/// while streaming, every 64 KiB chunk authenticates before it is written and the hash is compared
/// before the entry is closed. Shared by the police bundle and the victim's case file.
/// </summary>
public sealed class EvidenceArchiver(IEvidenceStore store, EnvelopeCipher cipher)
{
    /// <summary>What is wrong with a stored file, or null. Whole files are read only when <paramref name="verifyWhole"/>.</summary>
    public async Task<string?> ProblemAsync(EvidenceSummary file, bool verifyWhole, CancellationToken cancellationToken)
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

    /// <summary>
    /// Streams one file's original bytes into the archive as entry <paramref name="name"/>; throws
    /// <see cref="EvidenceIntegrityException"/> (the archive must then be abandoned) if they fail.
    /// </summary>
    public Task AddAsync(StreamingZipWriter zip, string name, EvidenceSummary file, CancellationToken cancellationToken) =>
        zip.AddStreamedAsync(name, file.Size, async (entry, token) =>
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

    /// <summary>
    /// folder/NN-name: numbered in the order given (an exhibit number, and never two alike), with
    /// the victim's name reduced to characters every unzip, file system and sha256sum takes as
    /// they are. The original name is kept beside it (manifest, case file).
    /// </summary>
    public static IReadOnlyDictionary<Guid, string> EntryNames(IReadOnlyList<EvidenceSummary> files, string folder)
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

            // A name of only non-Latin letters leaves "_.eml": trimming that to "eml" would lose
            // the extension's dot, so such a name becomes "file.eml".
            var reduced = safe.ToString();
            var dot = reduced.LastIndexOf('.');
            var extension = dot < 0 ? "" : reduced[(dot + 1)..].Trim('.', '_');
            var cleaned = reduced.Trim('.', '_');
            if (cleaned.Length == 0 || cleaned == extension)
            {
                cleaned = extension.Length == 0 ? "file" : "file." + extension;
            }

            names[files[i].Id] = $"{folder}/{(i + 1).ToString(new string('0', width), CultureInfo.InvariantCulture)}-{(cleaned.Length > 120 ? cleaned[^120..] : cleaned)}";
        }

        return names;
    }

    private static bool Matches(EvidenceSummary file, EnvelopeInfo info) =>
        info.Length == file.Size && Convert.ToHexStringLower(info.Sha256) == file.Sha256;
}
