namespace Portal.Web.Hosting;

/// <summary>Where the host finds its files, before anything else is configured.</summary>
public static class PortalHost
{
    /// <summary>
    /// A published portal (its directory holds wwwroot/) is its own content root wherever it is
    /// started from, so a service manager or an operator in another directory still gets its
    /// stylesheets, guidance and settings. A content root the operator names (--contentRoot,
    /// ASPNETCORE_CONTENTROOT) wins; a build output (`dotnet run`, the tests) keeps the default,
    /// the working directory, which `dotnet run --project Portal.Web` sets to the project.
    /// </summary>
    /// <remarks>
    /// Settings are read once, at start: nothing in the portal takes a changed value while it
    /// runs, so the settings files are not watched. Watching them meant watching the whole content
    /// root, in which `dotnet run` keeps the data directory: every write to the database woke the
    /// watcher (a twentieth of the portal's processor time under a surge of reports,
    /// docs/decisions/0031). An operator's own <c>--hostBuilder:reloadConfigOnChange</c> comes
    /// later on the command line and wins.
    /// </remarks>
    public static WebApplicationOptions Options(string[] args) =>
        new() { Args = [NoReload, .. args], ContentRootPath = PublishedContentRoot(args, AppContext.BaseDirectory) };

    private const string NoReload = "--hostBuilder:reloadConfigOnChange=false";

    public static string? PublishedContentRoot(string[] args, string baseDirectory)
    {
        var named = args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        return !named && Directory.Exists(Path.Combine(baseDirectory, "wwwroot")) ? baseDirectory : null;
    }
}
