namespace Portal.Core.Data;

public enum EvidenceKind
{
    Email = 0,
    Image = 1,
    Pdf = 2,
    Text = 3,
    OutlookMessage = 4,
}

/// <summary>Where reading a file for headers and indicators stands; the reading runs as follow-up work, never in the upload.</summary>
public enum AnalysisState
{
    /// <summary>Not a kind that is read (images, PDFs), or a document of the victim's own.</summary>
    NotApplicable = 0,

    /// <summary>Stored; waiting for the analysis job.</summary>
    Pending = 1,

    /// <summary>Read in full.</summary>
    Done = 2,

    /// <summary>Read, but a cap or budget stopped it (too many indicators, too large, too slow), or an Outlook file was not readable: the file is kept whole.</summary>
    Partial = 3,

    /// <summary>Reading failed on every attempt; the file is kept and staff can still open it.</summary>
    Failed = 4,
}

/// <summary>Why the victim gave the portal a file: evidence of the extortion, or a document of their own case file.</summary>
public enum FilePurpose
{
    Evidence = 0,

    /// <summary>
    /// A receipt, medical certificate or letter for the victim's own case file: stored like
    /// evidence, never analysed, never listed as evidence, and seen by staff, partners and police
    /// bundles only when the victim shares it.
    /// </summary>
    Document = 1,
}

public enum EvidenceSource
{
    Upload = 0,
    Pasted = 1,

    /// <summary>Forwarded to the case's private address as an attachment: the original with its own headers.</summary>
    Forwarded = 2,

    /// <summary>Forwarded to the case's private address inline: the message as it arrived, the original headers are missing.</summary>
    ForwardedInline = 3,
}

/// <summary>
/// One file a victim kept. The bytes live encrypted in the evidence store under a name derived
/// from <see cref="Id"/>; the name the victim gave is sealed like other victim text, because
/// file names often carry their own name.
/// </summary>
public sealed class EvidenceFile
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public EvidenceKind Kind { get; set; }

    public EvidenceSource Source { get; set; }

    public FilePurpose Purpose { get; set; }

    /// <summary>A document the victim shares with the case's staff and partners; evidence is always seen and ignores this.</summary>
    public bool Shared { get; set; }

    /// <summary>Decided from the file's first bytes, never from what the browser declared.</summary>
    public required string MediaType { get; set; }

    public required byte[] FileNameEnvelope { get; set; }

    public long Size { get; set; }

    /// <summary>SHA-256 of the plaintext, computed while streaming; finds the same file uploaded twice to a case.</summary>
    public required byte[] Sha256 { get; set; }

    /// <summary>The master key that wraps this file's data key, for rotation.</summary>
    public required string KeyId { get; set; }

    public DateTime ReceivedAt { get; set; }

    /// <summary>What the email reader found (headers, route, parts, warnings), sealed; null for other kinds.</summary>
    public byte[]? ParsedEnvelope { get; set; }

    public AnalysisState AnalysisState { get; set; }

    /// <summary>Analysis runs started: counted before each run, so a file that kills the process is not read forever.</summary>
    public int AnalysisAttempts { get; set; }

    /// <summary>Why analysis stopped short (a cap or budget by name), for staff; never file content.</summary>
    public string? AnalysisNote { get; set; }

    /// <summary>
    /// For a forwarded file: the header block of the message it arrived in (who forwarded it,
    /// when, through which servers), sealed like other victim data. Null for uploads.
    /// </summary>
    public byte[]? ForwardingEnvelope { get; set; }

    /// <summary>The keyed hash of the email's Message-ID (SealedIndicators, class "message-id"): the same email forwarded again is recognised even when its bytes differ.</summary>
    public byte[]? MessageIdMac { get; set; }

    /// <summary>True while the victim, who chose email contact, still has to be told that a forwarded file arrived.</summary>
    public bool NotificationPending { get; set; }
}

public enum IndicatorKind
{
    BitcoinAddress = 0,
    EmailAddress = 1,
    Url = 2,
    Domain = 3,
    Amount = 4,
    Deadline = 5,

    /// <summary>A From or Reply-To address of a parsed email (not any address in the text).</summary>
    SenderAddress = 6,

    /// <summary>"sending-domain/subject-fingerprint": see Features/Campaigns/SubjectFingerprint.</summary>
    DomainSubject = 7,
}

/// <summary>
/// Something the extortionist left behind (payment address, sender, link, domain, amount,
/// deadline). Links and addresses carry patient ids and victims' names, so the normalised value is
/// kept only sealed, beside a keyed hash of it that campaigns and duplicates compare by equality
/// (docs/decisions/0027, Features/Evidence/Indicators/SealedIndicators).
/// </summary>
public sealed class CaseIndicator
{
    public long Id { get; set; }

    public Guid CaseId { get; set; }

    public Guid? EvidenceFileId { get; set; }

    public IndicatorKind Kind { get; set; }

    /// <summary>The normalised value, sealed with the envelope.</summary>
    public required byte[] ValueEnvelope { get; set; }

    /// <summary>HMAC-SHA-256 of the normalised value under the "indicator-mac" secret: equal values, equal MACs.</summary>
    public required byte[] ValueMac { get; set; }

    public string? Detail { get; set; }

    public DateTime FoundAt { get; set; }
}
