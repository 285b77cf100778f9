namespace Portal.Tests.Support;

/// <summary>A complete, valid set of answers to the report form, to change one thing at a time.</summary>
public static class ReportAnswers
{
    public static Dictionary<string, string?> Valid(string whatHappened = "An email said my therapy notes would be published unless I paid.") => new()
    {
        ["WhatHappened"] = whatHappened,
        ["EmailReceivedOn"] = "2026-11-20",
        ["SenderAddress"] = "extort@example.org",
        ["AmountDemanded"] = "0,5",
        ["Currency"] = "BTC",
        ["PaymentAddress"] = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        ["Paid"] = "No",
        ["DataPublished"] = "Unsure",
        ["RiskSelfHarm"] = "false",
        ["RiskImmediateDanger"] = "false",
        ["ConsentPolice"] = "true",
        ["ContactPreference"] = "PortalOnly",
        ["PreferredLanguage"] = "en",
    };
}
