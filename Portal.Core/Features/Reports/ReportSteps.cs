using System.Reflection;

namespace Portal.Core.Features.Reports;

/// <summary>One short page of the report form: its name (in the address) and its questions, in the order shown.</summary>
public sealed record ReportStep(int Number, string Name, IReadOnlyList<string> Fields);

/// <summary>
/// The report form in short steps. The order of the steps and of the fields in each is the order
/// the victim meets them, so errors are listed in that order too.
/// </summary>
public static class ReportSteps
{
    public static readonly IReadOnlyList<ReportStep> All =
    [
        new(1, "safety", [nameof(SubmitReport.RiskSelfHarm), nameof(SubmitReport.RiskImmediateDanger), nameof(SubmitReport.IsUnder18)]),
        new(2, "what-happened", [nameof(SubmitReport.WhatHappened), nameof(SubmitReport.EmailReceivedOn), nameof(SubmitReport.SenderAddress)]),
        new(3, "demand", [nameof(SubmitReport.AmountDemanded), nameof(SubmitReport.Currency), nameof(SubmitReport.PaymentAddress), nameof(SubmitReport.Paid), nameof(SubmitReport.DataPublished), nameof(SubmitReport.BreachOrganisation), nameof(SubmitReport.Region)]),
        new(4, "sharing", [nameof(SubmitReport.ConsentPolice), nameof(SubmitReport.ConsentCounselling)]),
        new(5, "contact", [nameof(SubmitReport.ContactPreference), nameof(SubmitReport.ContactEmail), nameof(SubmitReport.ContactPhone), nameof(SubmitReport.SafeHours), nameof(SubmitReport.PreferredLanguage)]),
        new(6, "check", []),
    ];

    /// <summary>The last step: the answers to check, and the button that sends them.</summary>
    public static ReportStep Check => All[^1];

    /// <summary>Every field in the order the victim meets it; the form's own token last.</summary>
    public static readonly IReadOnlyList<string> FieldOrder = All.SelectMany(s => s.Fields).Append(nameof(SubmitReport.SubmissionId)).ToList();

    public static ReportStep? Find(string? name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    public static ReportStep ByNumber(int number) => All[Math.Clamp(number, 1, All.Count) - 1];

    /// <summary>The step that asks <paramref name="field"/> (errors without a field belong to the check step).</summary>
    public static ReportStep StepOf(string field) => All.FirstOrDefault(s => s.Fields.Contains(field)) ?? Check;

    /// <summary>Where a field comes in the form: for sorting errors; unknown keys go last.</summary>
    public static int OrderOf(string field)
    {
        var index = FieldOrder.ToList().IndexOf(field);
        return index < 0 ? int.MaxValue : index;
    }

    /// <summary>The draft's answers with this step's questions replaced by what the step's page sent.</summary>
    public static SubmitReport Merge(SubmitReport draft, SubmitReport posted, ReportStep step)
    {
        var merged = draft with { };
        foreach (var field in step.Fields)
        {
            var property = typeof(SubmitReport).GetProperty(field, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new InvalidOperationException($"The report form has no field {field}.");
            property.SetValue(merged, property.GetValue(posted));
        }

        return merged;
    }
}
