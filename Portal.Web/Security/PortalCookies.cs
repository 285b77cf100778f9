namespace Portal.Web.Security;

/// <summary>
/// Cookie names and the Secure flag in one place. Behind HTTPS (everywhere but a local
/// Development run) every cookie is a <c>__Host-</c> cookie: Secure, host-only, path /.
/// Browsers only accept those from HTTPS, so `dotnet run` on plain http://localhost uses the
/// same names without the prefix (Security:HttpsCookies=false, see docs/decisions).
/// </summary>
public sealed record PortalCookies(bool HttpsOnly)
{
    public const string Staff = "portal-staff";
    public const string Case = "portal-case";
    public const string Antiforgery = "portal-af";
    public const string Language = "portal-lang";
    public const string TwoFactor = "portal-2fa";
    public const string External = "portal-ext";
    public const string KnownDevice = "portal-device";
    public const string Draft = "portal-draft";

    /// <summary>What a victim's browser may hold of the portal; quick exit deletes them all.</summary>
    public static readonly IReadOnlyList<string> VictimCookies = [Case, Antiforgery, Language, Draft];

    public string Name(string cookie) => HttpsOnly ? "__Host-" + cookie : cookie;

    public CookieSecurePolicy SecurePolicy => HttpsOnly ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

    public void Apply(CookieBuilder builder, string cookie)
    {
        builder.Name = Name(cookie);
        builder.SecurePolicy = SecurePolicy;
        builder.Path = "/";
    }

    /// <summary>Deletes a cookie the way it was set (a __Host- cookie is only replaced by a Secure one).</summary>
    public void Delete(HttpResponse response, string cookie) =>
        response.Cookies.Delete(Name(cookie), new CookieOptions { Path = "/", Secure = HttpsOnly || response.HttpContext.Request.IsHttps, HttpOnly = true });

    public static PortalCookies For(WebApplicationBuilder builder) =>
        builder.Services.Select(d => d.ImplementationInstance).OfType<PortalCookies>().SingleOrDefault()
        ?? Register(builder, new PortalCookies(builder.Configuration.GetValue<bool?>("Security:HttpsCookies") ?? !builder.Environment.IsDevelopment()));

    private static PortalCookies Register(WebApplicationBuilder builder, PortalCookies cookies)
    {
        builder.Services.AddSingleton(cookies);
        return cookies;
    }
}
