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

    public const int MaxNarrativeLength = 10_000;

    /// <summary>
    /// How long after a report a resend of the same form with the same answers gets a new receipt
    /// key (the first answer may have been lost when the portal or the connection died).
    /// </summary>
    public TimeSpan ReceiptReissueWindow { get; set; } = TimeSpan.FromHours(2);
}
