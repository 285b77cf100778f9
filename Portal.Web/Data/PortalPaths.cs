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
        Directory.CreateDirectory(directory);
        builder.Services.AddSingleton(new PortalPaths(directory));
        return builder;
    }

    public static PortalPaths PortalPaths(this WebApplicationBuilder builder) =>
        builder.Services.Select(d => d.ImplementationInstance).OfType<PortalPaths>().Single();
}
