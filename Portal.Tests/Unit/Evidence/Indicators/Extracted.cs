using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Data;

namespace Portal.Tests.Unit.Evidence.Indicators;

internal static class Extracted
{
    public static IReadOnlyList<Indicator> Of(IndicatorKind kind, string text) =>
        [.. IndicatorExtractor.Extract(text).Where(i => i.Kind == kind)];

    public static IReadOnlyList<string> Values(IndicatorKind kind, string text) =>
        [.. Of(kind, text).Select(i => i.Value)];
}
