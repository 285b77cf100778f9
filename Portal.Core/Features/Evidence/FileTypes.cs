using System.Text;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence;

/// <summary>What the first bytes of a file say it is.</summary>
public sealed record DetectedType(EvidenceKind Kind, string MediaType, string Extension);

/// <summary>
/// Decides a file's type from its magic bytes, and whether what the browser declared (a
/// Content-Type and a file name extension) agrees. Anything not recognised is refused: the
/// portal stores evidence, not arbitrary files.
/// </summary>
public static class FileTypes
{
    /// <summary>How many leading bytes <see cref="Detect"/> wants to see.</summary>
    public const int SniffLength = 4096;

    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] Pdf = "%PDF-"u8.ToArray();
    private static readonly byte[] CompoundFile = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    public static readonly DetectedType EmailType = new(EvidenceKind.Email, "message/rfc822", ".eml");

    /// <param name="head">The first bytes of the file (up to <see cref="SniffLength"/>).</param>
    /// <param name="fileName">Needed only to tell an Outlook .msg from other compound files.</param>
    public static DetectedType? Detect(ReadOnlySpan<byte> head, string? fileName)
    {
        if (head.StartsWith(Png))
        {
            return new DetectedType(EvidenceKind.Image, "image/png", ".png");
        }

        if (head.StartsWith(Jpeg))
        {
            return new DetectedType(EvidenceKind.Image, "image/jpeg", ".jpg");
        }

        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return new DetectedType(EvidenceKind.Image, "image/webp", ".webp");
        }

        if (head.StartsWith(Pdf))
        {
            return new DetectedType(EvidenceKind.Pdf, "application/pdf", ".pdf");
        }

        if (head.StartsWith(CompoundFile))
        {
            // Word and Excel files share this container; only a .msg name makes it an Outlook message.
            return Extension(fileName) == ".msg" ? new DetectedType(EvidenceKind.OutlookMessage, "application/vnd.ms-outlook", ".msg") : null;
        }

        if (!LooksLikeText(head))
        {
            return null;
        }

        return LooksLikeEmail(head) ? EmailType : new DetectedType(EvidenceKind.Text, "text/plain", ".txt");
    }

    /// <summary>
    /// True when the browser's declaration does not contradict the detected type. A generic
    /// declaration (application/octet-stream, none) contradicts nothing.
    /// </summary>
    public static bool Agrees(DetectedType detected, string? declaredMediaType, string? fileName)
    {
        var declared = (declaredMediaType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var extension = Extension(fileName);
        var (types, extensions) = detected.Kind switch
        {
            EvidenceKind.Email => (new[] { "message/rfc822", "text/plain" }, new[] { ".eml", ".txt", "" }),
            EvidenceKind.Text => (["text/plain"], [".txt", ".log", ""]),
            EvidenceKind.Pdf => (["application/pdf"], [".pdf"]),
            EvidenceKind.OutlookMessage => (["application/vnd.ms-outlook", "application/x-msg"], [".msg"]),
            EvidenceKind.Image => detected.MediaType switch
            {
                "image/png" => (["image/png"], [".png"]),
                "image/jpeg" => (["image/jpeg", "image/jpg", "image/pjpeg"], [".jpg", ".jpeg", ".jfif"]),
                _ => (new[] { "image/webp" }, new[] { ".webp" }),
            },
            _ => (Array.Empty<string>(), Array.Empty<string>()),
        };

        var typeAgrees = declared is "" or "application/octet-stream" || types.Contains(declared);
        var extensionAgrees = extensions.Contains(extension);
        return typeAgrees && extensionAgrees;
    }

    /// <summary>The file name's extension, lower case, or empty; never used to build a path.</summary>
    public static string Extension(string? fileName)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            return "";
        }

        var name = fileName.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var dot = name.LastIndexOf('.');
        return dot <= 0 ? "" : name[dot..].ToLowerInvariant();
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return false;
        }

        foreach (var b in head)
        {
            // NUL and most C0 controls do not occur in text or in 7/8-bit email.
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C or 0x1B))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// An email starts with header fields: the first line is "Name: value" (or an mbox "From "
    /// line) and at least two of the first lines are header fields a mail system writes. A UTF-8
    /// byte order mark and blank lines before the headers are skipped, as the email reader does:
    /// editors and some mail apps' "save as" write them in front of a real message.
    /// </summary>
    public static bool LooksLikeEmail(ReadOnlySpan<byte> head)
    {
        var text = Encoding.Latin1.GetString(EmailStart(head));
        var lines = text.Split('\n');
        var known = 0;
        var first = true;
        foreach (var raw in lines.Take(60))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                break;
            }

            if (first && line.StartsWith("From ", StringComparison.Ordinal))
            {
                first = false;
                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !line.AsSpan(0, colon).ContainsOnlyHeaderNameCharacters())
            {
                return false;
            }

            var name = line[..colon];
            if (KnownHeaders.Contains(name) || name.StartsWith("X-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ARC-", StringComparison.OrdinalIgnoreCase))
            {
                known++;
            }

            first = false;
        }

        return known >= 2;
    }

    /// <summary>Where a saved message's headers start: after a UTF-8 byte order mark and any blank (CRLF or LF) lines.</summary>
    public static ReadOnlySpan<byte> EmailStart(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> byteOrderMark = [0xEF, 0xBB, 0xBF];
        if (data.StartsWith(byteOrderMark))
        {
            data = data[3..];
        }

        while (true)
        {
            if (data.StartsWith("\r\n"u8))
            {
                data = data[2..];
            }
            else if (data.StartsWith("\n"u8))
            {
                data = data[1..];
            }
            else
            {
                return data;
            }
        }
    }

    private static bool ContainsOnlyHeaderNameCharacters(this ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (c is < '!' or > '~' or ':')
            {
                return false;
            }
        }

        return true;
    }

    private static readonly HashSet<string> KnownHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Received", "Return-Path", "Delivered-To", "From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Reply-To", "Sender", "DKIM-Signature", "Authentication-Results",
        "Received-SPF", "List-Unsubscribe", "Thread-Topic", "Thread-Index", "In-Reply-To", "References",
    };
}
