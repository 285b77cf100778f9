namespace Portal.Core.Data;

/// <summary>What a supervisor does to a whole campaign at once.</summary>
public enum CampaignActionKind
{
    /// <summary>Every victim gets the same prepared reply, each in their own language.</summary>
    Reply = 0,

    /// <summary>Every open case goes where one decision says, where its victim consented.</summary>
    Route = 1,

    /// <summary>Every open case is closed with one note.</summary>
    Close = 2,
}

public enum CampaignActionState
{
    Running = 0,
    Done = 1,
}

/// <summary>What became of one case of a campaign action; each is a rule of the single-case use case.</summary>
public enum CampaignCaseOutcome
{
    Applied = 0,

    /// <summary>Already referred or closed (route, close).</summary>
    AlreadyDecided = 1,

    /// <summary>A volunteer is working the case (a live claim): their conversation and decision.</summary>
    HeldBySomeoneElse = 2,

    /// <summary>The victim did not consent to where the decision would send the case.</summary>
    NoConsent = 3,

    /// <summary>Retention removed the case's content; nobody writes to it any more.</summary>
    Retained = 4,

    /// <summary>The case left the portal between the preview and its turn.</summary>
    Gone = 5,
}

/// <summary>
/// One campaign action, recorded before any case is touched, with the cases it covers
/// (<see cref="CampaignActionCase"/>) and its progress. Batches of cases commit their changes,
/// their audit entries and the progress together, so an action interrupted by a crash continues
/// with the cases not yet done instead of repeating any.
/// </summary>
public sealed class CampaignAction
{
    public const int MaxNoteLength = 500;

    public long Id { get; set; }

    public Guid CampaignId { get; set; }

    /// <summary>The campaign's version the supervisor previewed and confirmed.</summary>
    public int CampaignVersion { get; set; }

    public CampaignActionKind Kind { get; set; }

    /// <summary>Reply: the prepared reply chosen, and its texts as they were confirmed (an edit later does not change what goes out).</summary>
    public int? CannedResponseId { get; set; }

    public string? ReplyTitle { get; set; }

    public string? ReplyEn { get; set; }

    public string? ReplyFi { get; set; }

    public string? ReplySv { get; set; }

    /// <summary>Route: where the cases go.</summary>
    public TriageRoute? Route { get; set; }

    /// <summary>Close: the note each case is closed with; Route: an optional note on each decision. Written by staff.</summary>
    public string? Note { get; set; }

    public required string RequestedById { get; set; }

    public DateTime RequestedAt { get; set; }

    public CampaignActionState State { get; set; }

    public DateTime? FinishedAt { get; set; }

    public int Total { get; set; }

    public int Applied { get; set; }

    public int Skipped { get; set; }

    /// <summary>Bumped by each batch first, so two runners (two nodes) take turns on an action instead of doing a case twice.</summary>
    public long Version { get; set; }

    public string ReplyIn(string language) => (language switch
    {
        "fi" => ReplyFi,
        "sv" => ReplySv,
        _ => ReplyEn,
    }) ?? "";
}

/// <summary>A case a campaign action covers; <see cref="Outcome"/> is null until its batch commits.</summary>
public sealed class CampaignActionCase
{
    public long ActionId { get; set; }

    public Guid CaseId { get; set; }

    public CampaignCaseOutcome? Outcome { get; set; }
}
