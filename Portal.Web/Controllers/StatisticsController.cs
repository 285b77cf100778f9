using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Statistics;
using Portal.Web.Accounts;
using Portal.Web.Hosting;

namespace Portal.Web.Controllers;

/// <summary>
/// Statistics for funders and helpline leads: counts only, like the dashboard, so admins read
/// them as well as supervisors. The page shows exact counts to signed-in staff; the CSV that
/// leaves the portal hides small ones (StatisticsCsv) and its download is recorded.
/// </summary>
[Authorize(Policy = StaffPolicies.SupervisorOrAdmin)]
[Route("staff/statistics")]
public sealed class StatisticsController(HelplineStatisticsHandler statistics, TimeProvider clock) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] StatisticsPeriod by, CancellationToken cancellationToken) =>
        View(await statistics.HandleAsync(Valid(by), cancellationToken));

    [HttpGet("export")]
    [GetOnly]
    public async Task<IActionResult> Export([FromQuery] StatisticsPeriod by, CancellationToken cancellationToken)
    {
        var period = Valid(by);
        var csv = StatisticsCsv.Write(await statistics.ExportAsync(period, HttpContext.StaffActor(), cancellationToken));
        var name = string.Create(CultureInfo.InvariantCulture, $"portal-statistics-{period.ToString().ToLowerInvariant()}-{clock.GetUtcNow():yyyy-MM-dd}.csv");
        return File(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", name);
    }

    private static StatisticsPeriod Valid(StatisticsPeriod by) => Enum.IsDefined(by) ? by : StatisticsPeriod.Day;
}
