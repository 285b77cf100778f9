namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// The limits and warnings of reading one message. An embedded message gets its own warnings
/// but shares the part budget, so nesting messages cannot multiply the work.
/// </summary>
internal sealed class EmailReadContext(EmailReaderLimits limits, EmailReadContext.PartBudget parts)
{
    /// <summary>A hostile message can produce a warning per line; past this many, one more says so.</summary>
    public const int MaxWarnings = 100;

    private readonly List<string> warnings = [];
    private readonly HashSet<string> distinct = new(StringComparer.Ordinal);
    private bool partsRefused;

    public EmailReadContext(EmailReaderLimits limits)
        : this(limits, new PartBudget(limits.MaxParts))
    {
    }

    public EmailReaderLimits Limits => limits;

    /// <summary>Nesting recurses, so the depth is capped whatever the limits say.</summary>
    public int MaxDepth => Math.Clamp(limits.MaxDepth, 0, EmailReaderLimits.DeepestNesting);

    public IReadOnlyList<string> Warnings => warnings;

    public void Warn(string message)
    {
        if (warnings.Count > MaxWarnings || !distinct.Add(message))
        {
            return;
        }

        warnings.Add(warnings.Count == MaxWarnings
            ? $"More than {MaxWarnings} problems were found; the rest are not listed."
            : message);
    }

    /// <summary>Counts one more MIME part; false once the shared budget is spent (warning once per message).</summary>
    public bool TryTakePart()
    {
        if (parts.Taken < parts.Max)
        {
            parts.Taken++;
            return true;
        }

        if (!partsRefused)
        {
            partsRefused = true;
            Warn($"The message has more than {parts.Max} MIME parts; the rest were not read.");
        }

        return false;
    }

    public EmailReadContext ForEmbeddedMessage() => new(limits, parts);

    internal sealed class PartBudget(int max)
    {
        public int Max { get; } = Math.Max(0, max);

        public int Taken { get; set; }
    }
}
