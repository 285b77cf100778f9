using Portal.Core.Data;

namespace Portal.Core.Features.Guidance;

/// <summary>
/// The answers that decide which next steps a victim sees. <paramref name="PoliceReportFiled"/>:
/// the police recorded a report for the case, so "report to the police" is no longer a next step.
/// </summary>
public sealed record GuidanceAnswers(bool RiskFlagged, bool IsUnder18, YesNoUnsure Paid, YesNoUnsure DataPublished, bool ConsentPolice, bool ConsentCounselling, bool PoliceReportFiled = false)
{
    public static GuidanceAnswers From(Case c) =>
        new(c.RiskSelfHarm || c.RiskImmediateDanger, c.IsUnder18, c.Paid, c.DataPublished, c.ConsentPolice, c.ConsentCounselling);
}

/// <summary>Chooses and orders the guidance articles for a report. Crisis help always comes first when risk was flagged.</summary>
public static class GuidanceRules
{
    public const string CrisisHelp = "crisis-help";
    public const string DontPay = "dont-pay";
    public const string SaveEmailHeaders = "save-email-headers";
    public const string PoliceReport = "police-report";
    public const string ProtectIdentityMoney = "protect-identity-money";
    public const string TalkToSomeone = "talk-to-someone";
    public const string YoungPeople = "young-people";
    public const string DataPublished = "data-published";

    public static IReadOnlyList<string> Select(GuidanceAnswers answers)
    {
        var steps = new List<string>();
        if (answers.RiskFlagged)
        {
            steps.Add(CrisisHelp);
        }

        if (answers.IsUnder18)
        {
            steps.Add(YoungPeople);
        }

        // Someone who already paid needs their money protected before anything else.
        if (answers.Paid == YesNoUnsure.Yes)
        {
            steps.Add(ProtectIdentityMoney);
        }

        steps.Add(DontPay);

        if (answers.DataPublished != YesNoUnsure.No)
        {
            steps.Add(DataPublished);
        }

        steps.Add(SaveEmailHeaders);
        if (!answers.PoliceReportFiled)
        {
            steps.Add(PoliceReport);
        }

        if (answers.Paid != YesNoUnsure.Yes)
        {
            steps.Add(ProtectIdentityMoney);
        }

        steps.Add(TalkToSomeone);

        return steps;
    }
}
