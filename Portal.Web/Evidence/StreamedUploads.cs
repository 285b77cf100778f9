using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Portal.Core.Features.Evidence;

namespace Portal.Web.Evidence;

/// <summary>How reading a streamed upload ended before (or instead of) its file reached the handler.</summary>
public enum UploadFraming
{
    /// <summary>The file part was handed to the handler; its result is in <see cref="StreamedUpload{T}.Result"/>.</summary>
    Handled,

    /// <summary>The announced or actual body passes the per-file limit and the framing around it (413).</summary>
    TooLarge,

    /// <summary>Not multipart/form-data, or its framing is broken (400).</summary>
    BadRequest,

    /// <summary>The antiforgery field is missing, first or wrong (400 with no page).</summary>
    AntiforgeryFailed,

    /// <summary>No file part (nothing chosen) (422).</summary>
    NoFile,
}

public sealed record StreamedUpload<T>(UploadFraming Framing, T? Result = default);

/// <summary>
/// Reads a file upload without buffering it (docs/decisions/0009): the body is read with
/// <see cref="MultipartReader"/>; the antiforgery field comes first and is checked through the
/// header the antiforgery system reads (so it never reads, and buffers, the whole form); then the
/// file part's stream goes to the handler. Used by the evidence page and the victim's documents;
/// the action needs <c>[IgnoreAntiforgeryToken]</c> and <c>[DisableFormValueModelBinding]</c>.
/// </summary>
public sealed class StreamedUploads(IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions, IOptions<EvidenceOptions> options)
{
    /// <summary>Room for the multipart framing and the antiforgery field around one file.</summary>
    private const long RequestOverheadBytes = 64 * 1024;

    public async Task<StreamedUpload<T>> ReadAsync<T>(HttpContext context, Func<string? /* file name */, string? /* declared type */, Stream, Task<T>> handle, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var maxRequest = options.Value.MaxFileBytes + RequestOverheadBytes;
        if (request.ContentLength > maxRequest)
        {
            return new(UploadFraming.TooLarge);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = maxRequest;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return new(UploadFraming.BadRequest);
        }

        try
        {
            // A large buffer: the default 4 KiB makes the boundary scan, not the disk, the limit on big files.
            var reader = new MultipartReader(boundary, request.Body, 256 * 1024) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
            if (!await ValidateAntiforgeryAsync(context, await UploadSections.NextAsync(reader, cancellationToken)))
            {
                return new(UploadFraming.AntiforgeryFailed);
            }

            var section = await UploadSections.NextAsync(reader, cancellationToken);
            if (section is null
                || !ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.IsFileDisposition())
            {
                return new(UploadFraming.NoFile);
            }

            var fileName = disposition.FileNameStar.HasValue
                ? HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value
                : BrowserFileName(HeaderUtilities.RemoveQuotes(disposition.FileName).Value);
            return new(UploadFraming.Handled, await handle(fileName, section.ContentType, section.Body));
        }
        catch (InvalidDataException)
        {
            // Malformed multipart: too many or too long part headers, a broken boundary, a body
            // that ends before its closing boundary.
            return new(UploadFraming.BadRequest);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(UploadFraming.TooLarge);
        }
    }

    /// <summary>
    /// Browsers (the HTML form encoding) write a quote, CR and LF in a file name as %22, %0D and
    /// %0A and leave every other character, "%" included, as it is; so exactly those are undone.
    /// A name in filename* is already decoded by the header parser.
    /// </summary>
    public static string? BrowserFileName(string? fileName) =>
        fileName?.Replace("%22", "\"", StringComparison.Ordinal)
            .Replace("%0D", "\r", StringComparison.OrdinalIgnoreCase)
            .Replace("%0A", "\n", StringComparison.OrdinalIgnoreCase);

    private async Task<bool> ValidateAntiforgeryAsync(HttpContext context, MultipartSection? first)
    {
        var headerName = antiforgeryOptions.Value.HeaderName;
        var fieldName = antiforgeryOptions.Value.FormFieldName;
        if (first is null || headerName is null
            || !ContentDispositionHeaderValue.TryParse(first.ContentDisposition, out var disposition)
            || !disposition.IsFormDisposition()
            || HeaderUtilities.RemoveQuotes(disposition.Name).Value != fieldName)
        {
            return false;
        }

        var buffer = new char[4096];
        using var reader = new StreamReader(first.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1024, leaveOpen: true);
        var length = await reader.ReadBlockAsync(buffer);
        if (length == buffer.Length)
        {
            return false;
        }

        // The antiforgery system takes the token from the form when the request has a form
        // content type (which would buffer the whole file), else from a header. So for the
        // check the token travels in the header and the content type is hidden; the multipart
        // reader already holds the boundary.
        var request = context.Request;
        var contentType = request.ContentType;
        request.Headers[headerName] = new string(buffer, 0, length);
        request.ContentType = null;
        try
        {
            return await antiforgery.IsRequestValidAsync(context);
        }
        finally
        {
            request.ContentType = contentType;
            request.Headers.Remove(headerName);
        }
    }
}
