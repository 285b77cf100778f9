using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc.Razor;
using Portal.Web.Security;

namespace Portal.Web.Localization;

public static class LocalizationSetup
{
    public static readonly IReadOnlyList<string> Languages = ["en", "fi", "sv"];

    public static WebApplicationBuilder AddPortalLocalization(this WebApplicationBuilder builder)
    {
        var cookies = PortalCookies.For(builder);
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = Languages.Select(l => new CultureInfo(l)).ToList();
            options.DefaultRequestCulture = new RequestCulture("en");
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            // The language switcher's cookie wins, then the browser's preference; a language we
            // don't have falls back to English. No query-string provider: URLs stay shareable.
            options.RequestCultureProviders =
            [
                new CookieRequestCultureProvider { CookieName = cookies.Name(PortalCookies.Language) },
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        builder.Services.AddControllersWithViews()
            .AddViewLocalization(LanguageViewLocationExpanderFormat.Suffix)
            .AddDataAnnotationsLocalization(options =>
                options.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SharedResource)));
        return builder;
    }

    public static void UsePortalLocalization(this WebApplication app) => app.UseRequestLocalization();

    public static string CurrentLanguage => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is var l && Languages.Contains(l) ? l : "en";
}
