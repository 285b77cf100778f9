namespace Portal.Tests.Support;

/// <summary>Finds files of the source tree, for tests that check content (resources, views, guidance).</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The UI strings of one language (en, fi, sv) as the resource file holds them, by key.</summary>
    public static Dictionary<string, string> Strings(string language) =>
        System.Xml.Linq.XDocument.Load(PathOf("Portal.Web", "Resources", language == "en" ? "SharedResource.resx" : $"SharedResource.{language}.resx")).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Portal.sln not found above the test binaries.");
    }
}
