using System.CommandLine;
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

    public static Command Create(TextWriter output, TextWriter errors)
    {
        var bundle = new Argument<string>("bundle") { Description = "The downloaded bundle (.zip)." };
        var key = new Option<string?>("--key") { Description = "The portal's published public key (PEM), to check the signer." };
        var command = new Command(Verb, "Check an evidence bundle offline: hashes, sizes, the signed manifest and its signature.") { bundle, key };
        command.SetAction(async (result, cancellationToken) => await RunAsync(result.GetValue(bundle) ?? "", result.GetValue(key), output, errors, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string zip, string? keyPath, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
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

            givenKey = await File.ReadAllTextAsync(keyPath, cancellationToken);
        }

        var result = await VerifyBundle.CheckAsync(zip, givenKey, cancellationToken);
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
}
