using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Notices;
using Portal.Web.Localization;

namespace Portal.Web.Controllers;

[AllowAnonymous]
public sealed class HomeController(ListNoticesHandler notices) : Controller
{
    [HttpGet("/")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken) =>
        View(await notices.HandleAsync(LocalizationSetup.CurrentLanguage, 1, cancellationToken));

    [HttpGet("/updates")]
    public async Task<IActionResult> Updates(CancellationToken cancellationToken) =>
        View(await notices.HandleAsync(LocalizationSetup.CurrentLanguage, 50, cancellationToken));

    [HttpGet("/privacy")]
    public IActionResult Privacy() => View();
}
