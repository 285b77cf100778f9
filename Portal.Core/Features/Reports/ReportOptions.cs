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
}
