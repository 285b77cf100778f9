namespace Portal.Core.Data;

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
}
