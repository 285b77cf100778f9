using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Web.Security;

/// <summary>Where a form sends the browser back to: only a local address, and one a Location header can carry.</summary>
public static class LocalReturnUrl
{
    /// <summary>
    /// <paramref name="returnUrl"/> if it is local, else <paramref name="fallback"/>. Characters a
    /// header may not hold (non-ASCII, spaces, controls) are percent-encoded as UTF-8, as a browser
    /// would have sent them: written raw they made the server refuse the response with a 500 after
    /// the action had already done its work (a sign-in recorded as a success, its cookie lost).
    /// </summary>
    public static string Resolve(IUrlHelper url, string? returnUrl, string fallback) =>
        returnUrl is not null && url.IsLocalUrl(returnUrl) ? Encode(returnUrl) : fallback;

    public static string Encode(string url)
    {
        if (url.All(c => c is > ' ' and < '\u007f'))
        {
            return url;
        }

        var encoded = new StringBuilder(url.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(url))
        {
            if (b is > (byte)' ' and < 0x7f)
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}
