using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Portal.Core.Email;

namespace Portal.Core.Features.Evidence.Intake;

/// <summary>
/// The forwarding intake (section "Intake", docs/decisions/0026): the IMAP mailbox that receives
/// what victims forward to their case's private address, and that address's form. Off while
/// <see cref="Host"/> is empty.
/// </summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";

    /// <summary>IMAP server of the intake mailbox. When empty, forwarding is off: no address is shown and nothing is read.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 993;

    /// <summary>Auto: implicit TLS on port 993, STARTTLS elsewhere (required unless <see cref="AllowInsecure"/>).</summary>
    public EmailSecurity Security { get; set; } = EmailSecurity.Auto;

    /// <summary>Whether the mailbox may be read over a connection without TLS; when not set, in Development only (the web host fills it in).</summary>
    public bool? AllowInsecure { get; set; }

    /// <summary>A PEM file with the certificate authority of a server whose certificate the system does not trust.</summary>
    public string? CertificateAuthorityFile { get; set; }

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The folder to read.</summary>
    [Required]
    public string Mailbox { get; set; } = "INBOX";

    /// <summary>
    /// The intake mailbox's own address, e.g. intake@intake.example.org. A case's address is its
    /// plus-address: intake+&lt;token&gt;@intake.example.org, so the domain's server must deliver
    /// plus-addresses (or every address of the domain) to this mailbox.
    /// </summary>
    public string? Address { get; set; }

    /// <summary>Messages listed and read at a time; the memory a run holds is about this many messages' sizes at most one at a time.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>How long one run takes messages from the mailbox and, where the server offers IDLE, waits for more.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RunTime { get; set; } = TimeSpan.FromSeconds(50);

    /// <summary>
    /// Watch the mailbox in IDLE (when the server offers it) and start a run when mail arrives, so
    /// a forward is stored within seconds; a run also waits in IDLE for more until its run time ends.
    /// </summary>
    public bool Idle { get; set; } = true;

    /// <summary>Distinct case addresses one message may be stored for (a message to many addresses is usually not a victim's).</summary>
    [Range(1, 20)]
    public int MaxCasesPerMessage { get; set; } = 5;

    [Range(1, 600)]
    public int ConnectTimeoutSeconds { get; set; } = 15;

    /// <summary>Each IMAP command once connected, including fetching one message.</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 60;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    internal bool InsecureAllowed => AllowInsecure == true;

    /// <summary>The mailbox part and the domain of <see cref="Address"/>, lower-cased; null when it is not a plain address.</summary>
    public (string Local, string Domain)? AddressParts()
    {
        var address = Address?.Trim() ?? "";
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return null;
        }

        var local = address[..at].ToLowerInvariant();
        var domain = address[(at + 1)..].ToLowerInvariant();
        var plain = local.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            && domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-')
            && domain.Contains('.', StringComparison.Ordinal);
        return plain ? (local, domain) : null;
    }
}

/// <summary>Checked when the portal starts, so that an intake that would leak or never work says so at once.</summary>
public sealed class IntakeOptionsValidator : IValidateOptions<IntakeOptions>
{
    public ValidateOptionsResult Validate(string? name, IntakeOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (options.AddressParts() is null)
        {
            failures.Add("Intake:Address must be the intake mailbox's plain address (letters, digits, '.', '-', '_' before the @, no '+'), e.g. intake@intake.example.org.");
        }

        if (options.Security == EmailSecurity.None && !options.InsecureAllowed)
        {
            failures.Add("Intake:Security is None, which reads forwarded evidence (and the mailbox password) over the network unencrypted. "
                + "Use StartTls or SslOnConnect, or, for a server on this machine only, also set Intake:AllowInsecure=true.");
        }

        if (string.IsNullOrEmpty(options.UserName) || string.IsNullOrEmpty(options.Password))
        {
            failures.Add("Intake:UserName and Intake:Password are required to read the intake mailbox.");
        }

        if (options.CertificateAuthorityFile is { Length: > 0 } authority && !File.Exists(authority))
        {
            failures.Add($"Intake:CertificateAuthorityFile {authority} does not exist.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
