using Microsoft.Extensions.Options;
using PdfSharp.Drawing;
using PdfSharp.Fonts;

namespace Portal.Core.Features.CaseFile;

/// <summary>
/// The fonts of the printable case file: system TrueType files (Debian's fonts-dejavu-core by
/// default, which covers Finnish and Swedish), read at run time and never shipped with the
/// portal. PDFsharp takes one process-wide font resolver; ours knows no names of its own, only
/// paths: a font's family name is the path of its file, so portals with different settings in
/// one process (the tests) never see each other's fonts. See docs/decisions/0025.
/// </summary>
public sealed class CaseFileFonts(IOptions<CaseFileOptions> options)
{
    /// <summary>Whether both font files are there; without them the case file cannot be made.</summary>
    public bool Available => File.Exists(options.Value.RegularFont) && File.Exists(options.Value.BoldFont);

    public XFont Regular(double size)
    {
        PathFontResolver.Install();
        return new XFont(options.Value.RegularFont, size);
    }

    public XFont Bold(double size)
    {
        PathFontResolver.Install();
        return new XFont(options.Value.BoldFont, size);
    }

    /// <summary>Resolves a "family" that is a font file's path to that file; anything else is unknown.</summary>
    private sealed class PathFontResolver : IFontResolver
    {
        private static readonly PathFontResolver Instance = new();
        private static readonly Lock Gate = new();

        /// <summary>PDFsharp wants the resolver set once, before any font is used, and always the same instance.</summary>
        public static void Install()
        {
            lock (Gate)
            {
                if (!ReferenceEquals(GlobalFontSettings.FontResolver, Instance))
                {
                    GlobalFontSettings.FontResolver = Instance;
                }
            }
        }

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            Path.IsPathRooted(familyName) && File.Exists(familyName) ? new FontResolverInfo(familyName) : null;

        public byte[]? GetFont(string faceName) =>
            Path.IsPathRooted(faceName) && File.Exists(faceName) ? File.ReadAllBytes(faceName) : null;
    }
}
