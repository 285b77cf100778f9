using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Dashboard;
using Portal.Web.Accounts;

namespace Portal.Web.Controllers;

/// <summary>
/// The supervisor dashboard: counts only, no case content, so admins (who see no case content
/// by default) may read it as well as supervisors.
/// </summary>
[Authorize(Policy = StaffPolicies.SupervisorOrAdmin)]
[Route("staff/dashboard")]
public sealed class DashboardController(SupervisorDashboardHandler dashboard) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await dashboard.HandleAsync(cancellationToken));
}
