using System.Globalization;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Portal.Core.Features;

namespace Portal.Web.Staff;

/// <summary>
/// <c>&lt;local-time value="@utc" /&gt;</c>: a stored UTC time as staff read it, in the helpline's
/// zone (Portal:TimeZone), as a <c>time</c> element whose datetime attribute keeps the exact UTC
/// instant. <c>format="date"</c> shows the day only, <c>format="seconds"</c> adds seconds.
/// </summary>
[HtmlTargetElement("local-time", TagStructure = TagStructure.WithoutEndTag)]
public sealed class LocalTimeTagHelper(PortalTimeZone zone) : TagHelper
{
    public DateTime? Value { get; set; }

    public string? Format { get; set; }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        output.TagMode = TagMode.StartTagAndEndTag;
        if (Value is not { } utc)
        {
            output.SuppressOutput();
            return;
        }

        var instant = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        output.TagName = "time";
        output.Attributes.SetAttribute("datetime", instant.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        output.Content.SetContent(Text(zone.ToLocal(instant), Format));
    }

    public static string Text(DateTime local, string? format) => format switch
    {
        "date" => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "seconds" => local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        _ => local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
    };
}
