using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Features.Bundles;

public sealed class BundleOptions
{
    public const string Section = "Bundles";

    /// <summary>
    /// Cases whose evidence adds up to at most this many bytes are decrypted and hashed whole
    /// before the first byte of the bundle is sent, so a damaged file is refused with a page.
    /// Larger cases are checked chunk by chunk while they stream (and the download is cut off
    /// at the first bad chunk), so a 1 GB bundle starts at once instead of after a full read.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long VerifyBeforeStreamingBytes { get; set; } = 256L * 1024 * 1024;
}
