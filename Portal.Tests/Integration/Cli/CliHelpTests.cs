using Portal.Web.Cli;

namespace Portal.Tests.Integration.Cli;

/// <summary>Every verb is in one command tree, so --help names them all and wrong usage is answered the same way for each.</summary>
public sealed class CliHelpTests
{
    [Fact]
    public async Task Help_NamesEveryVerb_WithoutBuildingThePortal()
    {
        using var output = new StringWriter();

        var exit = await PortalCommands.RunAsync(["--help"], _ => throw new InvalidOperationException("--help must not build the host"), output, TextWriter.Null);

        Assert.Equal(0, exit);
        foreach (var verb in new[] { "migrate", "create-admin", "verify-audit", "inspect-email", "verify-bundle" })
        {
            Assert.Contains(verb, output.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("create-admin")]
    [InlineData("inspect-email")]
    [InlineData("verify-bundle", "--key")]
    [InlineData("migrate", "--no-such-option")]
    public async Task WrongUsage_SaysWhatIsWrong_AndExitsWith2(params string[] args)
    {
        using var errors = new StringWriter();

        var exit = await PortalCommands.RunAsync(args, _ => throw new InvalidOperationException("wrong usage must not build the host"), TextWriter.Null, errors);

        Assert.Equal(2, exit);
        Assert.Contains("--help", errors.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("verify-audt")]
    [InlineData("help")]
    public async Task UnknownCommand_SaysSo_AndListsTheVerbs_WithoutBuildingThePortal(string word)
    {
        using var errors = new StringWriter();

        var exit = await PortalCommands.RunAsync([word], _ => throw new InvalidOperationException("an unknown command must not build the host"), TextWriter.Null, errors);

        Assert.Equal(2, exit);
        Assert.Contains($"Unknown command '{word}'.", errors.ToString(), StringComparison.Ordinal);
        foreach (var verb in new[] { "migrate", "create-admin", "verify-audit", "inspect-email", "verify-bundle" })
        {
            Assert.Contains(verb, errors.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void VerbsAndBareWords_AreCommands_AndTheHostsOwnArgumentsStartTheServer()
    {
        Assert.True(PortalCommands.IsCommand(["verify-audit"]));
        Assert.True(PortalCommands.IsCommand(["--help"]));
        Assert.True(PortalCommands.IsCommand(["--version"]));
        Assert.True(PortalCommands.IsCommand(["verify-audt"]));
        Assert.True(PortalCommands.IsCommand(["help"]));
        Assert.False(PortalCommands.IsCommand([]));
        Assert.False(PortalCommands.IsCommand(["--urls", "http://127.0.0.1:5080"]));
        Assert.False(PortalCommands.IsCommand(["--environment", "Development"]));
        Assert.False(PortalCommands.IsCommand(["/urls", "http://127.0.0.1:5080"]));
        Assert.False(PortalCommands.IsCommand(["urls=http://127.0.0.1:5080"]));
        Assert.False(PortalCommands.IsCommand(["--urls=http://127.0.0.1:5080", "--environment", "Production"]));
        Assert.False(PortalCommands.IsCommand(["--contentRoot", "/opt/portal/app"]));
        Assert.False(PortalCommands.IsCommand(["--hostBuilder:reloadConfigOnChange=true"]));
        Assert.False(PortalCommands.IsCommand(["--Logging:LogLevel:Default", "Warning"]));

        // As WebApplicationFactory passes its settings: each section before its keys, with no value.
        Assert.False(PortalCommands.IsCommand(["--environment=Testing", "--Portal=", "--Portal:DataDirectory=/tmp/x", "--Logging=", "--Logging:LogLevel=", "--Logging:LogLevel:Default=Debug"]));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--bogus=1")]
    [InlineData("-x")]
    [InlineData("--urls")]
    [InlineData("--urls", "http://127.0.0.1:5080", "--bogus", "1")]
    [InlineData("--environment", "Production", "stray")]
    public void UnknownOptions_AreCommands_SoTheyAreAnsweredInsteadOfStartingTheServer(params string[] args)
    {
        Assert.True(PortalCommands.IsCommand(args));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--urls", "http://127.0.0.1:5080", "--bogus", "1")]
    public async Task UnknownOption_SaysWhich_AndExitsWith2_WithoutBuildingThePortal(params string[] args)
    {
        using var errors = new StringWriter();

        var exit = await PortalCommands.RunAsync(args, _ => throw new InvalidOperationException("an unknown option must not build the host"), TextWriter.Null, errors);

        Assert.Equal(2, exit);
        Assert.Contains("Unknown option '--bogus'.", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("--help", errors.ToString(), StringComparison.Ordinal);
    }
}
