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
/// <remarks>
/// The error summary links to <c>#Field</c>. In a group that link must land on something that
/// takes focus, or a keyboard or screen-reader user stays on the link: where the group's first
/// input carries the field's name as its id (the report's questions), that input does; otherwise
/// the invalid fieldset itself is made the target (its id, tabindex="-1"), and focus lands on the
/// group, which announces its legend and error, the next Tab reaching its choices.
/// </remarks>
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

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        var describedBy = new List<string>();
        if (HasHint)
        {
            describedBy.Add($"{Field}-hint");
        }

        var invalid = ViewContext?.ViewData.ModelState.TryGetValue(Field, out var entry) == true && entry?.Errors.Count > 0;
        if (invalid)
        {
            describedBy.Add($"{Field}-error");
            if (output.TagName != "fieldset")
            {
                output.Attributes.SetAttribute("aria-invalid", "true");
            }
            else if (!await AnInputIsTheTargetAsync(output))
            {
                if (!output.Attributes.ContainsName("id"))
                {
                    output.Attributes.SetAttribute("id", Field);
                }

                if (output.Attributes["id"]?.Value?.ToString() == Field)
                {
                    output.Attributes.SetAttribute("tabindex", "-1");
                }
            }
        }

        if (describedBy.Count > 0)
        {
            output.Attributes.SetAttribute("aria-describedby", string.Join(' ', describedBy));
        }
    }

    /// <summary>Whether an element inside the group carries the field's name as its id (the error summary's target).</summary>
    private async Task<bool> AnInputIsTheTargetAsync(TagHelperOutput output)
    {
        var content = (await output.GetChildContentAsync()).GetContent();
        return content.Contains($"id=\"{Field}\"", StringComparison.Ordinal);
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
