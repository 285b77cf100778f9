using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Notices;
using Portal.Web.Localization;

namespace Portal.Web.Controllers;

/// <summary>What the public header needs: the page's language, whether the demo banner shows, whether a staff member is signed in.</summary>
public sealed record PublicHeaderModel(string Language, bool Demo, bool Staff);

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
