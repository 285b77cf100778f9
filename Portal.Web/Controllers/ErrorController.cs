using System.Data.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Web.Controllers;

public sealed record ErrorViewModel(int StatusCode);

/// <summary>Friendly pages for every error; never a stack trace, never what the victim typed.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class ErrorController(ILogger<ErrorController> logger) : Controller
{
    [Route("/error")]
    public IActionResult Unhandled()
    {
        if (HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error is not { } exception)
        {
            // Asked for directly, not re-executed after a failure: there is no error to show.
            return Status(StatusCodes.Status404NotFound);
        }

        switch (StorageFailure.Of(exception))
        {
            case StorageProblem.Full:
                logger.LogError("Storage full while handling a request ({ExceptionType}): nothing of it was kept.", exception.GetType().Name);
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                Response.Headers.RetryAfter = "300";
                return View("StorageFull");
            case StorageProblem.Unwritable:
                logger.LogError("Storage cannot be written while handling a request ({ExceptionType}): nothing of it was kept.", exception.GetType().Name);
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                Response.Headers.RetryAfter = "60";
                return View("Unavailable");
            case StorageProblem.None:
                break;
        }

        if (IsDatabaseUnavailable(exception))
        {
            // The exception type only: messages can quote SQL parameters.
            logger.LogError("Database unavailable while handling a request ({ExceptionType}).", exception.GetType().Name);
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "30";
            return View("Unavailable");
        }

        if (exception is BadHttpRequestException badRequest)
        {
            // A body over the size limit, a malformed form: the client's fault, not ours.
            Response.StatusCode = badRequest.StatusCode;
            return View("Error", new ErrorViewModel(badRequest.StatusCode));
        }

        logger.LogError("Unhandled {ExceptionType} while handling a request.", exception.GetType().FullName);
        Response.StatusCode = StatusCodes.Status500InternalServerError;
        return View("Error", new ErrorViewModel(500));
    }

    [Route("/error/{statusCode:int}")]
    public IActionResult Status([FromRoute] int statusCode)
    {
        // From the route only: a re-executed POST must not read its (possibly oversized) form again.
        statusCode = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalStatusCode ?? statusCode;
        statusCode = statusCode is >= 400 and <= 599 ? statusCode : StatusCodes.Status404NotFound;
        Response.StatusCode = statusCode;
        return View("Error", new ErrorViewModel(statusCode));
    }

    /// <summary>
    /// Any address no other route claims. Without it the fallback authorization policy would
    /// send an anonymous visitor of a mistyped address to the staff sign-in page.
    /// </summary>
    [Route("{*path}", Order = int.MaxValue)]
    public IActionResult NotFoundPage() => Status(StatusCodes.Status404NotFound);

    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or DbUpdateException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }
}
