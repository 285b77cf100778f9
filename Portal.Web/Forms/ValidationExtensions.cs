using FluentValidation.Results;
using Microsoft.AspNetCore.Mvc.ModelBinding;
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
