using Microsoft.Extensions.Localization;
using Portal.Core.Features.Reports;

namespace Portal.Web.Staff;

/// <summary>Stored keys as staff read them, in the page's language.</summary>
public static class StaffText
{
    /// <summary>A role's name ("Volunteer" is "Vapaaehtoinen" in Finnish); an unknown role as stored.</summary>
    public static string RoleName(this IStringLocalizer localizer, string role)
    {
        var name = localizer["Role." + role];
        return name.ResourceNotFound ? role : name.Value;
    }

    /// <summary>The breach a report names: the configured organisation's name, "other or not sure", or nothing.</summary>
    public static string? BreachOrganisationName(this IStringLocalizer localizer, ReportOptions options, string? key) =>
        options.BreachOrganisationName(key, localizer["Report.BreachOrganisation.Other"].Value);

    /// <summary>
    /// A language's name in the page's language ("en" is "englanti" on a Finnish page), as the
    /// partner forms name them; a code the portal does not offer, as stored.
    /// </summary>
    public static string LanguageName(this IStringLocalizer localizer, string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return "";
        }

        var name = localizer["Partner.Language." + code];
        return name.ResourceNotFound ? code : name.Value;
    }

    /// <summary>A region's name, or "not answered" when the victim was not asked or did not say.</summary>
    public static string RegionName(this IStringLocalizer localizer, string? key) =>
        key is not null && Regions.IsAnswer(key) ? localizer[Regions.NameKey(key)].Value : localizer["Region.Unknown"].Value;
}
