using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding.Metadata;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.Extensions.Localization;
using Portal.Web.Security;

namespace Portal.Web.Localization;

public static class LocalizationSetup
{
    public static readonly IReadOnlyList<string> Languages = ["en", "fi", "sv"];

    /// <summary>
    /// English as the portal writes it: .NET's "en" is American (1/10/2025, 9:14 PM), which a
    /// reader in Finland takes for the first of October. Dates name their month and times use
    /// 24 hours (10 Jan 2025, 21:14), so pages, emails and the case-file PDF read one way to
    /// everyone. Finnish and Swedish keep their own conventions.
    /// </summary>
    private static readonly CultureInfo English = UnambiguousEnglish();

    /// <summary>The culture the portal uses for one of its <see cref="Languages"/>.</summary>
    public static CultureInfo Culture(string language) =>
        language == "en" ? English : CultureInfo.GetCultureInfo(language);

    public static WebApplicationBuilder AddPortalLocalization(this WebApplicationBuilder builder)
    {
        var cookies = PortalCookies.For(builder);
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");
        builder.Services.AddSingleton<ShownPages>();
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            // The middleware hands out these instances, so English carries its own date patterns.
            var cultures = Languages.Select(Culture).ToList();
            options.DefaultRequestCulture = new RequestCulture(English);
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
        builder.Services.AddOptions<MvcOptions>().Configure<IStringLocalizerFactory>((mvc, factory) => TranslateBindingMessages(mvc.ModelBindingMessageProvider, factory));
        builder.Services.AddControllersWithViews()
            .AddViewLocalization(LanguageViewLocationExpanderFormat.Suffix)
            .AddDataAnnotationsLocalization(options =>
                options.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SharedResource)));
        return builder;
    }

    public static void UsePortalLocalization(this WebApplication app) => app.UseRequestLocalization();

    /// <summary>
    /// Model binding's own messages ("The value 'x' is not valid for Audience.") in the page's
    /// language. Only a hand-made post reaches them (the forms offer no such value); they do not
    /// repeat what was sent.
    /// </summary>
    private static void TranslateBindingMessages(DefaultModelBindingMessageProvider messages, IStringLocalizerFactory factory)
    {
        var text = factory.Create(typeof(SharedResource));
        messages.SetAttemptedValueIsInvalidAccessor((_, _) => text["Form.Value.Invalid"]);
        messages.SetNonPropertyAttemptedValueIsInvalidAccessor(_ => text["Form.Value.Invalid"]);
        messages.SetUnknownValueIsInvalidAccessor(_ => text["Form.Value.Invalid"]);
        messages.SetNonPropertyUnknownValueIsInvalidAccessor(() => text["Form.Value.Invalid"]);
        messages.SetValueIsInvalidAccessor(_ => text["Form.Value.Invalid"]);
        messages.SetValueMustBeANumberAccessor(_ => text["Form.Value.Number"]);
        messages.SetNonPropertyValueMustBeANumberAccessor(() => text["Form.Value.Number"]);
        messages.SetMissingBindRequiredValueAccessor(_ => text["Form.Value.Required"]);
        messages.SetMissingKeyOrValueAccessor(() => text["Form.Value.Required"]);
        messages.SetMissingRequestBodyRequiredValueAccessor(() => text["Form.Value.Required"]);
        messages.SetValueMustNotBeNullAccessor(_ => text["Form.Value.Required"]);
    }

    private static CultureInfo UnambiguousEnglish()
    {
        var english = (CultureInfo)CultureInfo.GetCultureInfo("en").Clone();
        var dates = english.DateTimeFormat;
        dates.ShortDatePattern = "d MMM yyyy";
        dates.LongDatePattern = "dddd d MMMM yyyy";
        dates.ShortTimePattern = "HH:mm";
        dates.LongTimePattern = "HH:mm:ss";
        dates.FullDateTimePattern = "dddd d MMMM yyyy HH:mm:ss";
        dates.MonthDayPattern = "d MMMM";
        return CultureInfo.ReadOnly(english);
    }

    public static string CurrentLanguage => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is var l && Languages.Contains(l) ? l : "en";
}
