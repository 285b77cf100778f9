using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence.Intake;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

/// <summary>
/// The forwarding-address panel (Views/Shared/_ForwardingAddress): the address itself only when
/// it was just made (on the receipt, or here after asking for a new one), since only its keyed
/// hash is kept; <paramref name="CanReplace"/> offers the button that makes a new one.
/// </summary>
public sealed record ForwardingAddressPanel(string? Address, bool Replaced = false, bool CanReplace = false);

/// <summary>The victim replaces their case's forwarding address; the new one is shown once.</summary>
[Authorize(Policy = CaseSession.Policy)]
[Route("status/forwarding-address")]
public sealed class ForwardingAddressController(ReplaceForwardingAddressHandler replace, ForwardingAddresses addresses) : Controller
{
    [HttpGet("")]
    public IActionResult Index() =>
        addresses.Enabled ? View(new ForwardingAddressPanel(null, CanReplace: true)) : NotFound();

    [HttpPost("")]
    public async Task<IActionResult> Replace(CancellationToken cancellationToken)
    {
        var caseId = CaseSession.CaseId(User);
        if (caseId is null)
        {
            return Challenge(CaseSession.Scheme);
        }

        var address = await replace.HandleAsync(caseId.Value, Actor.Victim, cancellationToken);
        return address is null ? NotFound() : View("Index", new ForwardingAddressPanel(address, Replaced: true));
    }
}
