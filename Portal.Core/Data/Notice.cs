namespace Portal.Core.Data;

/// <summary>Which cases a deadline concerns.</summary>
public enum DeadlineAudience
{
    AllCases = 0,

    /// <summary>Cases that named <see cref="Notice.AudienceBreachOrganisation"/> as the breached organisation.</summary>
    BreachOrganisation = 1,

    /// <summary>Cases for which police have recorded a report number.</summary>
    PoliceReportNumber = 2,
}

/// <summary>A dated public notice on the updates page, written by an admin in up to three languages.</summary>
public sealed class Notice
{
    public Guid Id { get; set; }

    public DateTime PublishedAt { get; set; }

    public required string TitleEn { get; set; }

    public required string BodyEn { get; set; }

    public string? TitleFi { get; set; }

    public string? BodyFi { get; set; }

    public string? TitleSv { get; set; }

    public string? BodySv { get; set; }

    public string? AuthorId { get; set; }

    /// <summary>
    /// A deadline the notice announces (e.g. claims to the district court): shown on the page of
    /// every case it concerns, and reminded to victims who chose email. Null for a plain notice.
    /// </summary>
    public DateOnly? DeadlineOn { get; set; }

    public DeadlineAudience Audience { get; set; }

    /// <summary>The breach organisation's key when <see cref="Audience"/> is <see cref="DeadlineAudience.BreachOrganisation"/>.</summary>
    public string? AudienceBreachOrganisation { get; set; }

    /// <summary>The id of the form that posted it: the same form sent again posts nothing more (null for an edited resend).</summary>
    public Guid? SubmissionId { get; set; }

    /// <summary>When an admin withdrew it (a wrong date, say): from then on nobody sees it and no reminder of it goes out. The row stays for the record.</summary>
    public DateTime? WithdrawnAt { get; set; }
}
