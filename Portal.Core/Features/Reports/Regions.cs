namespace Portal.Core.Features.Reports;

/// <summary>
/// Where the victim lives, asked optionally on the report form so routing can pick a partner
/// near them: the regions of Finland (maakunnat / landskap), outside Finland, or not said.
/// Keys are stored; names come from the UI strings ("Region.&lt;key&gt;").
/// </summary>
public static class Regions
{
    public const string OutsideFinland = "outside-finland";
    public const string NotSaid = "not-said";

    public static readonly IReadOnlyList<string> Finnish =
    [
        "uusimaa", "varsinais-suomi", "satakunta", "kanta-hame", "pirkanmaa", "paijat-hame",
        "kymenlaakso", "etela-karjala", "etela-savo", "pohjois-savo", "pohjois-karjala", "keski-suomi",
        "etela-pohjanmaa", "pohjanmaa", "keski-pohjanmaa", "pohjois-pohjanmaa", "kainuu", "lappi", "ahvenanmaa",
    ];

    /// <summary>Every answer the form offers, in the order it offers them.</summary>
    public static readonly IReadOnlyList<string> Answers = [.. Finnish, OutsideFinland, NotSaid];

    public static bool IsAnswer(string? key) => key is not null && Answers.Contains(key);

    public static bool IsFinnish(string? key) => key is not null && Finnish.Contains(key);

    /// <summary>The resource key of a region's name.</summary>
    public static string NameKey(string key) => "Region." + key;
}
