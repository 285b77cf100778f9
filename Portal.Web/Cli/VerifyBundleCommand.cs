using System.CommandLine;
using Portal.Core.Features.Bundles;

namespace Portal.Web.Cli;

/// <summary>
/// <c>verify-bundle &lt;zip-or-directory&gt; [--key public.pem]</c>: checks an evidence bundle
/// offline (no database, keys or network), as downloaded or extracted into a directory, and
/// prints a verdict with everything that failed. Exit code 0 only when every check passed; 1 when
/// the bundle fails; 2 for wrong usage (no such bundle, a key file that is not a public key).
/// </summary>
public static class VerifyBundleCommand
{
    public const string Verb = "verify-bundle";

    public static Command Create(TextWriter output, TextWriter errors)
    {
        var bundle = new Argument<string>("bundle") { Description = "The downloaded bundle (.zip), or the directory it was extracted into." };
        var key = new Option<string?>("--key") { Description = "The portal's published public key (PEM), to check the signer." };
        var command = new Command(Verb, "Check an evidence bundle offline: hashes, sizes, the signed manifest and its signature.") { bundle, key };
        command.SetAction(async (result, cancellationToken) => await RunAsync(result.GetValue(bundle) ?? "", result.GetValue(key), output, errors, cancellationToken));
        return command;
    }

    // A PEM public key is a few hundred bytes; anything far larger is some other file.
    private const int MaxKeyBytes = 64 * 1024;

    private static async Task<int> RunAsync(string bundle, string? keyPath, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var isDirectory = Directory.Exists(bundle);
        if (!isDirectory && !File.Exists(bundle))
        {
            await errors.WriteLineAsync($"{bundle}: no such file or directory");
            return 2;
        }

        string? givenKey = null;
        if (keyPath is not null)
        {
            givenKey = await ReadKeyAsync(keyPath, errors, cancellationToken);
            if (givenKey is null)
            {
                return 2;
            }
        }

        var result = await VerifyBundle.CheckAsync(bundle, givenKey, cancellationToken);
        await output.WriteLineAsync(isDirectory ? $"Bundle: {bundle} (the files of an extracted bundle)" : $"Bundle: {bundle}");
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

    /// <summary>The key file's text, or null (the reason written to <paramref name="errors"/>) when it is not a PEM public key.</summary>
    private static async Task<string?> ReadKeyAsync(string keyPath, TextWriter errors, CancellationToken cancellationToken)
    {
        const string expected = "pass the portal's published public key, the file that begins with -----BEGIN PUBLIC KEY-----";
        if (Directory.Exists(keyPath))
        {
            await errors.WriteLineAsync($"{keyPath}: is a directory, not a PEM public key file ({expected})");
            return null;
        }

        if (!File.Exists(keyPath))
        {
            await errors.WriteLineAsync($"{keyPath}: no such file");
            return null;
        }

        string pem;
        try
        {
            if (new FileInfo(keyPath).Length > MaxKeyBytes)
            {
                await errors.WriteLineAsync($"{keyPath}: not a PEM public key, far too large for one ({expected})");
                return null;
            }

            pem = await File.ReadAllTextAsync(keyPath, cancellationToken);
        }
        catch (UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"{keyPath}: cannot be read (permission denied)");
            return null;
        }
        catch (IOException exception)
        {
            await errors.WriteLineAsync($"{keyPath}: cannot be read ({exception.Message})");
            return null;
        }

        if (!VerifyBundle.IsPublicKeyPem(pem))
        {
            await errors.WriteLineAsync($"{keyPath}: not a PEM public key ({expected})");
            return null;
        }

        return pem;
    }
}
