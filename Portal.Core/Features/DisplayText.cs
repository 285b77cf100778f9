namespace Portal.Core.Features;

/// <summary>
/// Characters that change how text around them is shown rather than being shown themselves:
/// controls, direction overrides and isolates (U+202A-U+202E, U+2066-U+2069, U+200E/F) and the
/// other invisible format characters (zero-width space and joiners, the byte order mark). In a
/// name another person reads, a right-to-left override reverses what follows it (an email address
/// beside the name, in a list of staff to give a case to), and a zero-width space makes two names
/// that look the same differ.
/// </summary>
public static class DisplayText
{
    /// <summary>
    /// The marks, embeddings, overrides and isolates that set the direction of the text after them.
    /// File names and the case-file PDF drop these (and controls) but keep the other format
    /// characters, such as the zero-width joiner inside an emoji.
    /// </summary>
    public static bool IsDirectionControl(char c) => c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>Whether <paramref name="c"/> is shown as itself.</summary>
    public static bool IsShown(char c) =>
        !char.IsControl(c) && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format;

    /// <summary>Whether every character of <paramref name="text"/> is shown as itself.</summary>
    public static bool AllShown(string? text) => text is null || text.All(IsShown);
}
