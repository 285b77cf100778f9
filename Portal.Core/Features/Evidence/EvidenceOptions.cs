using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Features.Evidence;

public sealed class EvidenceOptions
{
    public const string Section = "Evidence";

    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 25L * 1024 * 1024;

    [Range(1, 10_000)]
    public int MaxFilesPerCase { get; set; } = 50;

    [Range(1, long.MaxValue)]
    public long MaxBytesPerCase { get; set; } = 200L * 1024 * 1024;

    /// <summary>Message source pasted into the text box; a raw email rarely exceeds a few hundred KB.</summary>
    [Range(1, 10 * 1024 * 1024)]
    public int MaxPastedCharacters { get; set; } = 2 * 1024 * 1024;

    /// <summary>Temporary ciphertext older than this is an abandoned upload and is removed by the cleanup.</summary>
    public TimeSpan AbandonedUploadAge { get; set; } = TimeSpan.FromHours(1);
}
