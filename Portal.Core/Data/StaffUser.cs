using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Data;

/// <summary>A charity or partner staff member. Victims never have accounts.</summary>
public sealed class StaffUser : IdentityUser
{
    /// <summary>An admin disables an account by locking it out until the end of time.</summary>
    public static readonly DateTimeOffset DisabledUntil = DateTimeOffset.MaxValue;

    public string DisplayName { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    /// <summary>The 30-second step of the last accepted authenticator code: a code is good once only.</summary>
    public long? LastTotpStep { get; set; }

    /// <summary>The partner organisation a counsellor or police officer works for; null for the charity's own staff.</summary>
    public long? PartnerId { get; set; }
}
