using System.Security.Claims;
using Portal.Core.Features.Accounts;

namespace Portal.Web.Accounts;

public static class StaffActors
{
    /// <summary>The signed-in staff member and their address, for a handler that records what they do.</summary>
    public static StaffActor StaffActor(this HttpContext context) =>
        new(context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("No staff member is signed in."), context.Connection.RemoteIpAddress);
}
