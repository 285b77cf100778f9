using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Data;

/// <summary>A charity or partner staff member. Victims never have accounts.</summary>
public sealed class StaffUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    public DateTime CreatedAt { get; set; }
}
