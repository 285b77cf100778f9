using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Tests.Unit.Components;

/// <summary>
/// bUnit with what the portal's components inject: the shared string localizer over the real
/// resource files, in the language a test names.
/// </summary>
public abstract class ComponentTestContext : BunitContext
{
    protected ComponentTestContext()
    {
        Services.AddLocalization(options => options.ResourcesPath = "Resources");
    }

    /// <summary>Renders <typeparamref name="TComponent"/> with the UI culture set to <paramref name="culture"/>, as the request's language would.</summary>
    protected IRenderedComponent<TComponent> RenderIn<TComponent>(string culture, Action<ComponentParameterCollectionBuilder<TComponent>> parameters)
        where TComponent : IComponent
    {
        var previous = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = Portal.Web.Localization.LocalizationSetup.Culture(culture);
            return Render(parameters);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = previous;
        }
    }
}
