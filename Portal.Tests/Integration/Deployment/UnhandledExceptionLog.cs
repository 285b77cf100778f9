namespace Portal.Tests.Integration.Deployment;

/// <summary>Recognises, in <see cref="Support.CapturedLogs"/> lines, a request that failed as a server error.</summary>
public static class UnhandledExceptionLog
{
    private static readonly string[] Sources =
    [
        "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Portal.Web.Controllers.ErrorController",
    ];

    /// <summary>An error or critical line from the exception handler, Kestrel or the error page, or any with a stack trace.</summary>
    public static bool IsUnhandled(string line) =>
        (line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal))
        && (Sources.Any(s => line.Contains(s, StringComparison.Ordinal)) || line.Contains("\n   at ", StringComparison.Ordinal));
}
