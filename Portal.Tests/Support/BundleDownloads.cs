using System.Diagnostics;
using System.Net;

namespace Portal.Tests.Support;

/// <summary>Signing in again before an export, downloading a case's bundle, and running the real command-line tools on it.</summary>
public static class BundleDownloads
{
    /// <summary>
    /// A staff member signed in with the code of the previous step, so that the current step's
    /// code is still unused for the confirmation that follows (codes are good once only).
    /// </summary>
    public static Task<HttpClient> SignInForExportAsync(PortalFactory factory, StaffAccount account) =>
        StaffAccounts.SignInAsync(factory, account, stepOffset: -1);

    /// <summary>Submits the confirmation page (password and code); returns its answer.</summary>
    public static async Task<HttpResponseMessage> ConfirmAsync(HttpClient client, StaffAccount account, string? code, string? returnUrl = null, string password = StaffAccounts.Password)
    {
        var page = await client.GetPageAsync("/account/confirm" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        return await client.SubmitAsync(page, "/account/confirm", new Dictionary<string, string?> { ["Password"] = password, ["Code"] = code });
    }

    public static async Task ConfirmNowAsync(PortalFactory factory, HttpClient client, StaffAccount account)
    {
        using var response = await ConfirmAsync(client, account, account.CodeAt(factory.Clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    public static string BundlePath(Guid caseId) => $"/staff/cases/{caseId}/bundle";

    /// <summary>Runs a program to the end (two minutes at most) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
