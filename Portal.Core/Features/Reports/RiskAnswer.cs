using System.ComponentModel;
using System.Globalization;

namespace Portal.Core.Features.Reports;

/// <summary>
/// An answer to one of the risk questions. "I'd rather not say" is an answer of its own: a victim
/// is never forced to disclose thoughts of self-harm to file a report, and staff see that the
/// question was declined rather than a "no" nobody gave.
/// </summary>
[TypeConverter(typeof(RiskAnswerConverter))]
public enum RiskAnswer
{
    No = 0,
    Yes = 1,
    RatherNotSay = 2,
}

/// <summary>
/// Reads the form's values: "true" and "false" (what the yes/no radios have always sent, and what
/// older pages and scripts still send) as well as the names.
/// </summary>
public sealed class RiskAnswerConverter : EnumConverter
{
    public RiskAnswerConverter()
        : base(typeof(RiskAnswer))
    {
    }

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) => value switch
    {
        string text when text.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) => RiskAnswer.Yes,
        string text when text.Trim().Equals("false", StringComparison.OrdinalIgnoreCase) => RiskAnswer.No,
        string text when Enum.TryParse<RiskAnswer>(text.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) => parsed,
        string => throw new FormatException("Not an answer to a risk question."),
        _ => base.ConvertFrom(context, culture, value),
    };
}
