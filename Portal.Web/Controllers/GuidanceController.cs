using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Guidance;
using Portal.Web.Localization;

namespace Portal.Web.Controllers;

[AllowAnonymous]
[Route("guidance")]
public sealed class GuidanceController(GuidanceLibrary library) : Controller
{
    [HttpGet("")]
    public IActionResult Index() => View(library.All(LocalizationSetup.CurrentLanguage));

    [HttpGet("{slug:regex(^[[a-z0-9-]]{{1,64}}$)}")]
    public IActionResult Article(string slug) =>
        library.Find(slug, LocalizationSetup.CurrentLanguage) is { } article ? View(article) : NotFound();
}
