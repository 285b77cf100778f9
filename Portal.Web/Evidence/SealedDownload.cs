using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Portal.Core.Features.Bundles;

namespace Portal.Web.Evidence;

/// <summary>
/// Evidence, a bundle or a case file on its way out: always a download, never rendered (an
/// attachment named by the server per RFC 6266, sandboxed), written straight from the sealed
/// files to the response. A sealed file that fails its check part-way through throws
/// <see cref="EvidenceIntegrityException"/>, which the handler has already audited and reported;
/// the headers and earlier files are gone by then, so the connection is cut, and the client keeps
/// a truncated file without its manifest, signature or SHA256SUMS, which no tool takes for whole.
/// </summary>
public sealed class SealedDownload(string fileName, string contentType, Func<Stream, CancellationToken, Task> write, long? length = null) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        http.Response.Headers.ContentDisposition = disposition.ToString();
        http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        http.Response.ContentType = contentType;
        http.Response.ContentLength = length;
        try
        {
            await write(http.Response.Body, http.RequestAborted);
        }
        catch (EvidenceIntegrityException)
        {
            http.Abort();
        }
    }
}
