using System.Diagnostics;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Cli;

/// <summary>The verbs run as an operator runs them: the real Portal.Web executable, outside Development.</summary>
public sealed class OperatorVerbTests
{
    private readonly string dataDirectory = TestDatabases.NewTempDirectory();

    private static string PortalWebDll
    {
        get
        {
            // Same configuration as the tests were built in (Debug locally, Release in infra/test).
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug";
            var path = RepositoryFiles.PathOf("Portal.Web", "bin", configuration, "net10.0", "Portal.Web.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build Portal.Web first.", path);
        }
    }

    [Fact]
    public async Task CreateAdmin_MakesTheFirstAdmin_AndPrintsItsPasswordOnce()
    {
        var (exit, output, error) = await RunAsync("create-admin", "--email", "first.admin@example.org", "--name", "First Admin");

        Assert.True(exit == 0, error);
        Assert.Contains("Admin account first.admin@example.org created.", output, StringComparison.Ordinal);
        var password = output.Split('\n').Single(l => l.StartsWith("Password", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        Assert.True(password.Length >= 16);

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "portal.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT r.Name FROM AspNetUsers u
            JOIN AspNetUserRoles ur ON ur.UserId = u.Id JOIN AspNetRoles r ON r.Id = ur.RoleId
            WHERE u.NormalizedEmail = 'FIRST.ADMIN@EXAMPLE.ORG'
            """;
        Assert.Equal("Admin", await command.ExecuteScalarAsync());
        var stored = connection.CreateCommand();
        stored.CommandText = "SELECT PasswordHash FROM AspNetUsers";
        Assert.DoesNotContain(password, (string?)await stored.ExecuteScalarAsync() ?? "", StringComparison.Ordinal);

        var (again, _, againError) = await RunAsync("create-admin", "--email", "first.admin@example.org");
        Assert.Equal(1, again);
        Assert.Contains("was not created", againError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAudit_PassesAnIntactTrail_AndNamesAnEditedEntry()
    {
        var (created, _, createError) = await RunAsync("create-admin", "--email", "audited@example.org");
        Assert.True(created == 0, createError);

        var (intact, intactOutput, intactError) = await RunAsync("verify-audit");
        Assert.True(intact == 0, intactError);
        Assert.Contains("Audit trail intact: 1 entries verified.", intactOutput, StringComparison.Ordinal);

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "portal.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var edit = connection.CreateCommand();
            edit.CommandText = "UPDATE AuditEntries SET Subject = 'someone-else' WHERE Id = 1";
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }

        var (broken, _, brokenError) = await RunAsync("verify-audit");
        Assert.Equal(1, broken);
        Assert.Contains("Audit trail BROKEN at entry 1", brokenError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_AppliesTheSchema_AndSaysSo()
    {
        var (exit, output, error) = await RunAsync("migrate");

        Assert.True(exit == 0, error);
        Assert.Contains("Database is up to date.", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dataDirectory, "portal.db")));
    }

    [Theory]
    [InlineData]
    [InlineData("--urls", "http://127.0.0.1:0", "--environment", "Production")]
    [InlineData("--Logging:LogLevel:Default=Warning")]
    public async Task OutsideDevelopment_WithoutAMasterKey_RefusesToStart(params string[] hostArguments)
    {
        // Without arguments, or with only the host's settings, it is the portal that starts.
        var (exit, _, error) = await RunAsync(createKeys: false, hostArguments);

        Assert.NotEqual(0, exit);
        Assert.Contains("Portal cannot start: No master key found", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsThePortalsVersion_AndExits()
    {
        var (exit, output, error) = await RunAsync("--version");

        Assert.True(exit == 0, error);
        var version = typeof(Portal.Web.Cli.PortalCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        Assert.Equal(version, output.Trim());
    }

    [Theory]
    [InlineData("verify-audt")]
    [InlineData("help")]
    public async Task UnknownCommand_IsAnswered_WithoutStartingTheServer(string word)
    {
        var (exit, _, error) = await RunAsync(word);

        Assert.Equal(2, exit);
        Assert.Contains($"Unknown command '{word}'.", error, StringComparison.Ordinal);
        Assert.Contains("verify-audit", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dataDirectory, "portal.db")), "the web server started and migrated the database");
    }

    [Fact]
    public async Task VerifyAudit_WithoutTheAuditKey_SaysItIsMissing_AndNeverGeneratesOne()
    {
        var (created, _, createError) = await RunAsync("create-admin", "--email", "audited@example.org");
        Assert.True(created == 0, createError);
        var auditKey = Path.Combine(dataDirectory, "keys", "audit-mac.key");
        File.Delete(auditKey);

        // Keys:CreateIfMissing (as in Development) generates keys for the server, never for a check.
        foreach (var createKeys in new[] { true, false })
        {
            var (exit, output, error) = await RunAsync(createKeys, "verify-audit");

            Assert.Equal(1, exit);
            Assert.Equal($"The secret 'audit-mac' is missing: expected the base64 of 32 random bytes in {auditKey}.", error.Trim());
            Assert.DoesNotContain("BROKEN", output + error, StringComparison.Ordinal);
            Assert.False(File.Exists(auditKey), "verify-audit generated an audit key");
        }
    }

    [Fact]
    public async Task VerifyAudit_OnAnEmptyDataDirectory_SaysToMigrate_AndCreatesNothing()
    {
        var (exit, _, error) = await RunAsync("verify-audit");

        Assert.Equal(1, exit);
        Assert.Equal("The database has not been migrated: run `migrate` first.", error.Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDirectory));
    }

    [Fact]
    public async Task CreateAdmin_OutsideDevelopment_WithoutKeys_SaysWhichKey_AndCreatesNoAccount()
    {
        var (exit, output, error) = await RunAsync(createKeys: false, "create-admin", "--email", "unaudited@example.org");

        Assert.Equal(1, exit);
        Assert.StartsWith("No master key found", error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("created", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dataDirectory, "portal.db")));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("-x")]
    [InlineData("--urls", "http://127.0.0.1:0", "--bogus", "1")]
    public async Task AnUnknownOption_IsAUsageError_AndNeitherStartsThePortalNorCreatesAnything(params string[] args)
    {
        var (exit, _, error) = await RunAsync(createKeys: false, args);

        Assert.True(exit == 2, error);
        Assert.Contains("Unknown option", error, StringComparison.Ordinal);
        Assert.Contains("--help", error, StringComparison.Ordinal);
        Assert.DoesNotContain("master key", error, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dataDirectory));
    }

    [Theory]
    [InlineData("migrate")]
    [InlineData("verify-audit")]
    [InlineData("create-admin", "--email", "nowhere@example.org")]
    public async Task Verbs_WithAnUnusableDataDirectory_SayWhichAndWhy_InOneLine(params string[] args)
    {
        var notADirectory = Path.Combine(dataDirectory, "a-file");
        await File.WriteAllTextAsync(notADirectory, "");
        var unusable = Path.Combine(notADirectory, "data");

        var (exit, _, error) = await RunAsync(true, new Dictionary<string, string> { ["Portal__DataDirectory"] = unusable }, args);

        Assert.Equal(1, exit);
        Assert.StartsWith($"The data directory {unusable} cannot be used: ", error.Trim(), StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunAsync(true, args);

    private Task<(int Exit, string Output, string Error)> RunAsync(bool createKeys, params string[] args) => RunAsync(createKeys, new Dictionary<string, string>(), args);

    private async Task<(int Exit, string Output, string Error)> RunAsync(bool createKeys, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(PortalWebDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Portal__DataDirectory"] = dataDirectory;
        start.Environment["Keys__CreateIfMissing"] = createKeys ? "true" : "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A verb that does not end is most likely the web server, started by mistake: stop it
            // rather than leave it running after the tests.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"Portal.Web {string.Join(' ', args)} was still running after 2 minutes. Its errors:\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}

public sealed class GeneratedPasswordTests
{
    [Fact]
    public void GeneratedPasswords_AlwaysMeetIdentitysRules()
    {
        // One in about twenty draws of 20 characters has no digit: the generator must draw again.
        var passwords = Enumerable.Range(0, 2000).Select(_ => Portal.Web.Cli.PortalCommands.GeneratePassword()).ToList();

        Assert.All(passwords, p =>
        {
            Assert.Equal(20, p.Length);
            Assert.Contains(p, char.IsAsciiDigit);
            Assert.Contains(p, char.IsAsciiLetterLower);
            Assert.Contains(p, char.IsAsciiLetterUpper);
        });
    }
}
