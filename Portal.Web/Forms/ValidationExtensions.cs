using FluentValidation.Results;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.Localization;

namespace Portal.Web.Forms;

public static class ValidationExtensions
{
    /// <summary>Copies FluentValidation errors into ModelState, translated by their error code.</summary>
    public static void AddTo(this ValidationResult result, ModelStateDictionary modelState, IStringLocalizer localizer)
    {
        foreach (var error in result.Errors)
        {
            var text = localizer[error.ErrorCode];
            var message = text.ResourceNotFound ? error.ErrorMessage : text.Value;
            var key = error.PropertyName;
            if (modelState.TryGetValue(key, out var entry) && entry.Errors.Any(e => e.ErrorMessage == message))
            {
                continue;
            }

            modelState.AddModelError(key, message);
        }
    }
}

/// <summary>
/// The order of a form's questions, for its error summary: ModelState keeps its keys in an order of
/// its own (by length), so a page names the order the victim meets the questions in.
/// </summary>
public static class ErrorOrder
{
    private const string Key = "portal:error-order";

    public static void OrderErrorsBy(this ViewDataDictionary viewData, IReadOnlyList<string> fields) => viewData[Key] = fields;

    /// <summary>The fields with errors, in the page's order (unnamed errors first, unknown fields last), each with its first message.</summary>
    public static IReadOnlyList<(string Field, string Message)> ErrorsInOrder(this ViewDataDictionary viewData)
    {
        var order = viewData[Key] as IReadOnlyList<string> ?? [];
        return viewData.ModelState
            .Where(e => e.Value is { Errors.Count: > 0 })
            .Select(e => (Field: e.Key, Message: e.Value?.Errors[0].ErrorMessage ?? ""))
            .OrderBy(e => e.Field.Length == 0 ? -1 : order.Contains(e.Field) ? order.ToList().IndexOf(e.Field) : int.MaxValue)
            .ToList();
    }
}
