using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Portal.Core.Email;

/// <summary>How the connection to the SMTP server is protected.</summary>
public enum EmailSecurity
{
    /// <summary>Implicit TLS on port 465; STARTTLS on any other port (required unless insecure mail is allowed, then used when offered).</summary>
    Auto,

    /// <summary>Plain connection upgraded with STARTTLS; a server that does not offer it is refused.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS at all: mail and any password cross the network readable. Needs <see cref="EmailOptions.AllowInsecure"/>.</summary>
    None,
}

public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>SMTP server. When empty, messages are written as .eml files to <see cref="PickupDirectory"/>.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public EmailSecurity Security { get; set; } = EmailSecurity.Auto;

    /// <summary>
    /// Whether mail may go over a connection without TLS. When not set it is allowed in
    /// Development only (the web host fills it in); elsewhere it must be said explicitly.
    /// </summary>
    public bool? AllowInsecure { get; set; }

    /// <summary>A PEM file with the certificate authority of a relay whose certificate the system does not trust (a private CA).</summary>
    public string? CertificateAuthorityFile { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    [Required, EmailAddress]
    public string From { get; set; } = "portal@localhost";

    /// <summary>Where messages go when no host is set; defaults to data/outbox.</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>The portal's public address, for the links in emails (jobs have no request to take it from).</summary>
    [Required, Url]
    public string PortalUrl { get; set; } = "http://localhost:5080";

    /// <summary>The language of emails to staff (alerts, digests, job failures): en, fi or sv.</summary>
    [Required, RegularExpression("^(en|fi|sv)$")]
    public string StaffLanguage { get; set; } = "en";

    /// <summary>Connecting: the TCP connection, the TLS handshake and the server's greeting.</summary>
    [Range(1, 600)]
    public int ConnectTimeoutSeconds { get; set; } = 15;

    /// <summary>Each SMTP command once connected, including sending a message's data.</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>True when a connection without TLS is acceptable.</summary>
    internal bool InsecureAllowed => AllowInsecure == true;
}

/// <summary>Checked when the portal starts, so that a mail setup that would leak or fail says so at once.</summary>
public sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (options.Security == EmailSecurity.None && !options.InsecureAllowed)
        {
            failures.Add("Email:Security is None, which sends mail (and any SMTP password) over the network unencrypted. "
                + "Use StartTls or SslOnConnect, or, for a relay on this machine or a private network only, also set Email:AllowInsecure=true.");
        }

        if (!string.IsNullOrEmpty(options.UserName) && string.IsNullOrEmpty(options.Password))
        {
            failures.Add("Email:UserName is set but Email:Password is not.");
        }

        if (options.CertificateAuthorityFile is { Length: > 0 } authority && !File.Exists(authority))
        {
            failures.Add($"Email:CertificateAuthorityFile {authority} does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
