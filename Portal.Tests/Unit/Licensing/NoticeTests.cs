using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Licensing;

/// <summary>
/// NOTICE.md names the third-party packages the portal is built on: every package a project
/// references and every package the published application carries, in its right section, and
/// no package that nothing uses. The build's own dependency files (*.deps.json beside the tests)
/// say what is used.
/// </summary>
public sealed partial class NoticeTests
{
    private static readonly string Notice = File.ReadAllText(RepositoryFiles.PathOf("NOTICE.md"));

    private static readonly string[] Projects = ["Portal.Core", "Portal.Web", "Portal.Tests"];

    [Fact]
    public void EveryPackageAProjectReferences_IsNamed()
    {
        var referenced = Projects
            .SelectMany(p => XDocument.Load(RepositoryFiles.PathOf(p, p + ".csproj")).Descendants("PackageReference"))
            .Select(r => (string?)r.Attribute("Include") ?? "")
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        Assert.Contains("FluentValidation", referenced);

        var unnamed = referenced.Where(p => !IsNamed(Notice, p)).ToList();
        Assert.True(unnamed.Count == 0, $"NOTICE.md does not name: {string.Join(", ", unnamed)}");
    }

    [Fact]
    public void EveryPackageThePublishedApplicationCarries_IsNamedInItsSection()
    {
        var published = Section("### In the published application", "### Used only to build and test");
        var carried = Packages("Portal.Web");
        Assert.Contains("QRCoder", carried);

        var unnamed = carried.Where(p => !IsNamed(published, p)).ToList();
        Assert.True(unnamed.Count == 0, $"NOTICE.md's published-application table does not name: {string.Join(", ", unnamed)}");
    }

    [Fact]
    public void EveryPackageNamed_IsOneTheSolutionUses()
    {
        var used = Projects.SelectMany(Packages)
            // The shared frameworks the projects run on, the dotnet-ef tool and the npm package of infra/jsonld.
            .Concat(["Microsoft.AspNetCore.App", "Microsoft.NETCore.App"])
            .Concat(JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("dotnet-tools.json"))).RootElement.GetProperty("tools").EnumerateObject().Select(t => t.Name))
            .Concat(JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("infra", "jsonld", "package.json"))).RootElement.GetProperty("dependencies").EnumerateObject().Select(d => d.Name))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Package names are the backticked names in the tables' first column.
        var named = Notice.Split('\n')
            .Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| component", StringComparison.Ordinal))
            .SelectMany(line => Backticked().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value))
            .Where(name => !name.Contains('/', StringComparison.Ordinal))
            .ToList();
        Assert.Contains("BouncyCastle.Cryptography", named);

        var unused = named.Where(name => !used.Any(p => Matches(name, p))).ToList();
        Assert.True(unused.Count == 0, $"NOTICE.md names packages nothing uses: {string.Join(", ", unused)}");
    }

    [Theory]
    [InlineData("FluentValidation", "| FluentValidation | Apache-2.0 |", true)]
    [InlineData("FluentValidation", "| `FluentValidation.DependencyInjectionExtensions` | Apache-2.0 |", false)]
    [InlineData("Microsoft.EntityFrameworkCore", "| EF Core (`Microsoft.EntityFrameworkCore.*`) | MIT |", true)]
    [InlineData("Microsoft.EntityFrameworkCore.Sqlite", "| EF Core (`Microsoft.EntityFrameworkCore.*`) | MIT |", true)]
    [InlineData("Microsoft.EntityFrameworkCoreX", "| EF Core (`Microsoft.EntityFrameworkCore.*`) | MIT |", false)]
    [InlineData("Npgsql", "| Npgsql, `Npgsql.EntityFrameworkCore.PostgreSQL` | PostgreSQL |", true)]
    public void IsNamed_MatchesWholeNamesAndWildcards(string package, string text, bool expected) =>
        Assert.Equal(expected, IsNamed(text, package));

    /// <summary>The packages (not projects) in a project's dependency file as built beside the tests.</summary>
    private static List<string> Packages(string project)
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, project + ".deps.json")));
        return [.. deps.RootElement.GetProperty("libraries").EnumerateObject()
            .Where(l => l.Value.GetProperty("type").GetString() == "package")
            .Select(l => l.Name.Split('/')[0])];
    }

    private static string Section(string heading, string nextHeading)
    {
        var start = Notice.IndexOf(heading, StringComparison.Ordinal);
        var end = Notice.IndexOf(nextHeading, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"NOTICE.md has no section '{heading}' before '{nextHeading}'");
        return Notice[start..end];
    }

    /// <summary>The package's whole name in a table row, or a backticked <c>Prefix.*</c> covering it.</summary>
    private static bool IsNamed(string text, string package)
    {
        var rows = text.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal)).ToList();
        return rows.Any(row => Regex.IsMatch(row, $@"(?<![\w.]){Regex.Escape(package)}(?![\w.])", RegexOptions.IgnoreCase))
            || rows.SelectMany(row => Backticked().Matches(row).Select(m => m.Groups[1].Value)).Any(name => name.EndsWith(".*", StringComparison.Ordinal) && Matches(name, package));
    }

    /// <summary>A name or wildcard (<c>Prefix.*</c>, which covers the prefix itself too) against a package.</summary>
    private static bool Matches(string name, string package) =>
        name.EndsWith(".*", StringComparison.Ordinal)
            ? package.Equals(name[..^2], StringComparison.OrdinalIgnoreCase) || package.StartsWith(name[..^1], StringComparison.OrdinalIgnoreCase)
            : package.Equals(name, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Backticked();
}
