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

    /// <summary>Emails and texts larger than this are kept but not read (the analysis budget for memory).</summary>
    [Range(1, 100L * 1024 * 1024)]
    public long MaxAnalysedBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>Characters of a message's text scanned for indicators; beyond it the file is marked partly read.</summary>
    [Range(1, 50_000_000)]
    public int MaxScannedCharacters { get; set; } = 1_000_000;

    /// <summary>Indicators kept from one file; an email stuffed with addresses cannot flood the case.</summary>
    [Range(1, 100_000)]
    public int MaxIndicatorsPerFile { get; set; } = 200;

    /// <summary>Indicators kept for one case, from all its files together.</summary>
    [Range(1, 1_000_000)]
    public int MaxIndicatorsPerCase { get; set; } = 1_000;

    /// <summary>Time one file's reading may take before what is left of it is skipped and the file marked partly read.</summary>
    public TimeSpan AnalysisTimeBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Runs of the analysis of one file before it is marked failed (a file that crashes the reader is not read forever).</summary>
    [Range(1, 20)]
    public int MaxAnalysisAttempts { get; set; } = 3;

    /// <summary>Temporary ciphertext older than this is an abandoned upload and is removed by the cleanup.</summary>
    public TimeSpan AbandonedUploadAge { get; set; } = TimeSpan.FromHours(1);
}
