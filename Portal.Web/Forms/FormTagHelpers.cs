using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Portal.Web.Forms;

/// <summary>
/// Ties an invalid field to its message: aria-invalid plus aria-describedby pointing at the
/// hint and the error, so screen readers announce both. Works on inputs, selects and textareas
/// that carry an explicit id and a name, and on the fieldset of a group of radio buttons or
/// checkboxes, where the description is what a screen reader announces on entering the group
/// (a fieldset is no widget, so it gets no aria-invalid).
/// </summary>
[HtmlTargetElement("input", Attributes = "portal-field", TagStructure = TagStructure.WithoutEndTag)]
[HtmlTargetElement("textarea", Attributes = "portal-field")]
[HtmlTargetElement("select", Attributes = "portal-field")]
[HtmlTargetElement("fieldset", Attributes = "portal-field")]
public sealed class FieldTagHelper : TagHelper
{
    [HtmlAttributeName("portal-field")]
    public string Field { get; set; } = "";

    [HtmlAttributeName("portal-hint")]
    public bool HasHint { get; set; }

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext? ViewContext { get; set; }

    public override int Order => 1000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var describedBy = new List<string>();
        if (HasHint)
        {
            describedBy.Add($"{Field}-hint");
        }

        if (ViewContext?.ViewData.ModelState.TryGetValue(Field, out var entry) == true && entry.Errors.Count > 0)
        {
            if (output.TagName != "fieldset")
            {
                output.Attributes.SetAttribute("aria-invalid", "true");
            }

            describedBy.Add($"{Field}-error");
        }

        if (describedBy.Count > 0)
        {
            output.Attributes.SetAttribute("aria-describedby", string.Join(' ', describedBy));
        }
    }
}

/// <summary>The error message under a field, with the id that the field's aria-describedby names.</summary>
[HtmlTargetElement("field-error", TagStructure = TagStructure.WithoutEndTag)]
public sealed class FieldErrorTagHelper : TagHelper
{
    [HtmlAttributeName("for")]
    public string Field { get; set; } = "";

    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext? ViewContext { get; set; }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        if (ViewContext is null || !ViewContext.ViewData.ModelState.TryGetValue(Field, out var entry) || entry is null || entry.Errors.Count == 0)
        {
            output.SuppressOutput();
            return;
        }

        output.TagName = "p";
        output.TagMode = TagMode.StartTagAndEndTag;
        output.Attributes.SetAttribute("id", $"{Field}-error");
        output.Attributes.SetAttribute("class", "field-error");
        output.Content.SetContent(entry.Errors[0].ErrorMessage);
    }
}
