namespace Portal.Core.Data;

/// <summary>What a diary entry records; the victim picks one, and the case file groups by it.</summary>
public enum DiaryEntryKind
{
    Note = 0,
    Call = 1,
    Cost = 2,
    SickDay = 3,
    TherapyVisit = 4,
    Meeting = 5,
}

/// <summary>
/// One dated note in the victim's diary: what they did and how it affected them. Everything they
/// wrote (the text, the kind, any amount) is one sealed envelope; only the date the entry is
/// about and whether the victim shares it stay plain, because listing and sharing query them.
/// Never shown to staff or partners unless <see cref="Shared"/>.
/// </summary>
public sealed class DiaryEntry
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public DateOnly OccurredOn { get; set; }

    /// <summary>The victim chose to let the case's volunteers and partners read this entry.</summary>
    public bool Shared { get; set; }

    /// <summary>Envelope of a small JSON document: kind, text and amount (see Features/CaseFile/Diary).</summary>
    public required byte[] Envelope { get; set; }

    /// <summary>The id of the form that added the entry: the same form sent again adds nothing (null for an edited resend).</summary>
    public Guid? SubmissionId { get; set; }
}
