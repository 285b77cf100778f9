namespace Portal.Web.Data;

/// <summary>Where the embedded default keeps its files: database, keys, evidence, outbox.</summary>
public sealed record PortalPaths(string DataDirectory)
{
    public string KeysDirectory => Path.Combine(DataDirectory, "keys");
}

public static class PortalPathsSetup
{
    public static WebApplicationBuilder AddPortalPaths(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration["Portal:DataDirectory"];
        var directory = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "data" : configured, builder.Environment.ContentRootPath);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Configuration, not a bug: say which directory, for the operator verbs and the server alike.
            throw new InvalidOperationException($"The data directory {directory} cannot be used: {exception.Message}", exception);
        }

        builder.Services.AddSingleton(new PortalPaths(directory));
        return builder;
    }

    public static PortalPaths PortalPaths(this WebApplicationBuilder builder) =>
        builder.Services.Select(d => d.ImplementationInstance).OfType<PortalPaths>().Single();
}
