using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Messaging;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

/// <summary>Victims' replies waiting to be read, whatever state their case is in.</summary>
[Authorize(Policy = StaffPolicies.Triage)]
[Route("staff/messages")]
public sealed class MessagesController(UnreadMessagesHandler unread) : Controller
{
    public const int PageSize = 100;

    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await unread.HandleAsync(PageSize, cancellationToken));
}
