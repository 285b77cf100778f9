using Microsoft.Extensions.Localization;

namespace Portal.Web.Audit;

/// <summary>
/// Audit action codes ("case.claimed") as staff read them ("Case claimed"). The codes stay what the
/// trail stores and admins filter by; the labels are resources named <c>Audit.Action.&lt;code&gt;</c>.
/// </summary>
public static class AuditActionLabels
{
    public static string KeyFor(string action) => "Audit.Action." + action;

    /// <summary>The translated label, or null for a code that has none (one added later, or an old one): callers show the code instead.</summary>
    public static string? AuditActionLabel(this IStringLocalizer localizer, string action)
    {
        var label = localizer[KeyFor(action)];
        return label.ResourceNotFound || string.IsNullOrWhiteSpace(label.Value) ? null : label.Value;
    }
}
