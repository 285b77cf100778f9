using MimeKit;

namespace Portal.Core.Email;

/// <summary>
/// A bare email address as typed into a form ("name@example.fi"), read with MimeKit's strict
/// address parser: one mailbox, nothing around it. Refused: a display name or comment
/// ("Name &lt;a@b.fi&gt;", "a@b.fi (x)"), a source route, a group or list, a missing local part or
/// domain, folded or trailing whitespace, and anything the parser had to repair (its address
/// must read back exactly as given). The domain is not looked up.
/// </summary>
public static class PlainEmailAddress
{
    private static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
        AllowUnquotedCommasInAddresses = false,
        Rfc2047ComplianceMode = RfcComplianceMode.Strict,
        MaxAddressGroupDepth = 0,
    };

    /// <summary>The address when <paramref name="value"/> is exactly one bare address, else null. Callers trim first if they allow padding.</summary>
    public static MailboxAddress? Parse(string? value) =>
        !string.IsNullOrEmpty(value)
        && MailboxAddress.TryParse(Strict, value, out var mailbox)
        && string.IsNullOrEmpty(mailbox.Name)
        && mailbox.Route.Count == 0
        && !string.IsNullOrEmpty(mailbox.LocalPart)
        && !string.IsNullOrEmpty(mailbox.Domain)
        && ReadsBackAs(mailbox, value)
            ? mailbox
            : null;

    /// <summary>
    /// The parsed address is what was typed: as it reads, or with its domain in the ASCII form a
    /// mail client may show for an international one (xn--...), which the parser turns to Unicode.
    /// </summary>
    private static bool ReadsBackAs(MailboxAddress mailbox, string value) =>
        string.Equals(mailbox.Address, value, StringComparison.Ordinal)
        || string.Equals(mailbox.GetAddress(idnEncode: true), value, StringComparison.OrdinalIgnoreCase);
}
