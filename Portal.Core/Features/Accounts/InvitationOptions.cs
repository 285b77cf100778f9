using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Features.Accounts;

public sealed class InvitationOptions
{
    public const string Section = "Invitations";

    /// <summary>How long an invitation link works; a resend starts the time again with a new link.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(72);
}
