using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Email;

public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>SMTP server. When empty, messages are written as .eml files to <see cref="PickupDirectory"/>.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>Upgrade the connection with STARTTLS (System.Net.Mail's EnableSsl).</summary>
    public bool StartTls { get; set; }

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

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;
}
