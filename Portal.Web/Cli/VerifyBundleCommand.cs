using Portal.Core.Features.Bundles;

namespace Portal.Web.Cli;

/// <summary>
/// <c>verify-bundle &lt;zip&gt; [--key public.pem]</c>: checks an evidence bundle offline (no
/// database, keys or network) and prints a verdict with everything that failed. Exit code 0 only
/// when every check passed; 1 when the bundle fails; 2 for wrong usage.
/// </summary>
public static class VerifyBundleCommand
{
    public const string Verb = "verify-bundle";

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == Verb;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        string? zip = null;
        string? keyPath = null;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--key" && i + 1 < args.Length)
            {
                keyPath = args[++i];
            }
            else if (args[i] is "--help" or "-h")
            {
                await output.WriteLineAsync(Usage);
                return 0;
            }
            else if (zip is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                zip = args[i];
            }
            else
            {
                await errors.WriteLineAsync(Usage);
                return 2;
            }
        }

        if (zip is null)
        {
            await errors.WriteLineAsync(Usage);
            return 2;
        }

        if (!File.Exists(zip))
        {
            await errors.WriteLineAsync($"{zip}: no such file");
            return 2;
        }

        string? givenKey = null;
        if (keyPath is not null)
        {
            if (!File.Exists(keyPath))
            {
                await errors.WriteLineAsync($"{keyPath}: no such file");
                return 2;
            }

            givenKey = await File.ReadAllTextAsync(keyPath);
        }

        var result = await VerifyBundle.CheckAsync(zip, givenKey, CancellationToken.None);
        await output.WriteLineAsync($"Bundle: {zip}");
        if (result.CaseReference is not null)
        {
            await output.WriteLineAsync($"Case: {result.CaseReference}");
        }

        if (result.EmbeddedKeySha256 is not null)
        {
            await output.WriteLineAsync($"Signing key SHA-256: {result.EmbeddedKeySha256} (compare with the key the portal publishes, or pass it with --key)");
        }

        foreach (var line in result.Checked)
        {
            await output.WriteLineAsync($"  ok    {line}");
        }

        foreach (var problem in result.Problems)
        {
            await output.WriteLineAsync($"  FAIL  {problem}");
        }

        if (result.IsValid)
        {
            await output.WriteLineAsync(result.CheckedAgainstGivenKey
                ? "VERIFIED: every file matches the signed manifest, signed by the key given with --key."
                : "VERIFIED: every file matches the signed manifest (signed by the key inside the bundle; pass --key to check it is the portal's).");
            return 0;
        }

        await output.WriteLineAsync($"NOT VERIFIED: {result.Problems.Count} problem(s) found.");
        return 1;
    }

    private const string Usage = $"usage: {Verb} <bundle.zip> [--key <public-key.pem>]   checks hashes, signature and manifest offline";
}
