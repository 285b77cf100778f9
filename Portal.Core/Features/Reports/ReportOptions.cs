namespace Portal.Core.Features.Reports;

public sealed class BreachOrganisation
{
    public string Key { get; set; } = "";

    public string Name { get; set; } = "";
}

public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>The breaches victims can name; configured per deployment.</summary>
    public List<BreachOrganisation> BreachOrganisations { get; set; } = [];

    public static readonly IReadOnlyList<string> Currencies = ["EUR", "BTC", "USD", "OTHER"];

    public static readonly IReadOnlyList<string> Languages = ["en", "fi", "sv"];

    public const string OtherOrganisation = "other";

    /// <summary>
    /// The breach a report names, as people read it: the configured organisation's name,
    /// <paramref name="other"/> (the reader's words for "other or not sure"), the key of one no
    /// longer configured, or nothing.
    /// </summary>
    public string? BreachOrganisationName(string? key, string other) => key switch
    {
        null or "" => null,
        OtherOrganisation => other,
        _ => BreachOrganisations.FirstOrDefault(o => o.Key == key)?.Name ?? key,
    };

    public const int MaxNarrativeLength = 10_000;

    /// <summary>
    /// How long after a report a resend of the same form with the same answers gets a new receipt
    /// key (the first answer may have been lost when the portal or the connection died).
    /// </summary>
    public TimeSpan ReceiptReissueWindow { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// How long the answers of a report in progress are kept (sealed) after the victim's last step.
    /// Long enough to stop and come back the next day; quick exit deletes them at once.
    /// </summary>
    public TimeSpan DraftLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long the receipt page of a report just filed can be shown again (another language, a
    /// reload) to the case session that filed it; the key is kept sealed until then (docs/decisions/0028).
    /// </summary>
    public TimeSpan ReceiptShownFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>At most one new receipt key by email per case in this time, however often it is asked for.</summary>
    public TimeSpan NewKeyEmailInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The time zone the victim's pages show times in.</summary>
    public string TimeZone { get; set; } = "Europe/Helsinki";
}
