using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace PortalBench;

/// <summary>
/// The floor under any MVC use case, as a reference beside the bare insert: the least a report
/// form needs from the framework, with nothing of Portal's own. A GET renders a form with an
/// antiforgery token; the POST validates the token, binds and validates the report's fields with
/// data annotations, makes the bare endpoint's one durable insert, signs a cookie session in and
/// renders a receipt page in a small layout. No encryption, no receipt key, no audit entry, no
/// localisation, no security headers, no rate limiter: what Portal adds is what the portal's rate
/// is below this one.
/// </summary>
internal static class MvcFloor
{
    public const string Scheme = "floor";

    /// <summary>
    /// Serves the floor in a process of its own, as Portal.Web runs in its own, so its CPU per
    /// report is read the same way: on ASPNETCORE_URLS, with its SQLite database (the portal's
    /// schema and pragmas, as the bare endpoint's) in Portal__DataDirectory.
    /// </summary>
    public static async Task<int> ServeAsync()
    {
        var directory = Environment.GetEnvironmentVariable("Portal__DataDirectory") ?? throw new InvalidOperationException("Portal__DataDirectory is not set.");
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddPortalDbContext(DatabaseProvider.Sqlite, _ => new DatabaseOptions(), directory);
        builder.Services.AddControllersWithViews(o => o.Filters.Add(new AutoValidateAntiforgeryTokenAttribute()))
            .ConfigureApplicationPartManager(parts =>
            {
                // Only this assembly's controller and views, not Portal.Web's (referenced by the benchmark).
                parts.ApplicationParts.Clear();
                parts.ApplicationParts.Add(new AssemblyPart(typeof(FloorController).Assembly));
                parts.ApplicationParts.Add(new CompiledRazorAssemblyPart(typeof(FloorController).Assembly));
            });
        builder.Services.AddAntiforgery(o => o.FormFieldName = "__af");

        // As in the portal, the default scheme is another cookie (staff sign-in) that a victim does
        // not hold, so the victim's session does not bind antiforgery tokens.
        builder.Services.AddAuthentication("staff").AddCookie("staff").AddCookie(Scheme, o => o.Cookie.HttpOnly = true);
        var app = builder.Build();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database.MigrateAsync();
        }

        app.MapGet("/health/ready", () => Results.Ok());
        app.MapControllers();
        await app.RunAsync();
        return 0;
    }
}

public sealed class FloorForm
{
    public Guid SubmissionId { get; set; }

    [Required, StringLength(20_000, MinimumLength = 10)]
    public string? WhatHappened { get; set; }

    [Required]
    public DateOnly? EmailReceivedOn { get; set; }

    [EmailAddress, StringLength(320)]
    public string? SenderAddress { get; set; }

    [StringLength(32)]
    public string? AmountDemanded { get; set; }

    [StringLength(8)]
    public string? Currency { get; set; }

    [RegularExpression("^[A-Za-z0-9]{20,100}$")]
    public string? PaymentAddress { get; set; }

    [Required, RegularExpression("^(Yes|No|Unsure)$")]
    public string? Paid { get; set; }

    [Required, RegularExpression("^(Yes|No|Unsure)$")]
    public string? DataPublished { get; set; }

    public bool RiskSelfHarm { get; set; }

    public bool RiskImmediateDanger { get; set; }

    public bool ConsentPolice { get; set; }

    [Required, RegularExpression("^(Email|None)$")]
    public string? ContactPreference { get; set; }

    [EmailAddress, StringLength(320)]
    public string? ContactEmail { get; set; }

    [Required, RegularExpression("^(en|fi|sv)$")]
    public string? PreferredLanguage { get; set; }
}

public sealed record FloorReceipt(string Reference, string Key);

[Route("floor")]
public sealed class FloorController(PortalDbContext db) : Controller
{
    [HttpGet("")]
    public IActionResult Form() => View(new FloorForm());

    [HttpPost("")]
    public async Task<IActionResult> Submit(FloorForm form)
    {
        if (!ModelState.IsValid)
        {
            return BadRequest(string.Join("; ", ModelState.Where(e => e.Value?.Errors.Count > 0).Select(e => e.Key)));
        }

        var id = Guid.CreateVersion7();
        db.Notices.Add(new Notice { Id = id, TitleEn = "bench", BodyEn = "bench", PublishedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        await HttpContext.SignInAsync(MvcFloor.Scheme, new ClaimsPrincipal(new ClaimsIdentity([new Claim("case", id.ToString())], MvcFloor.Scheme)));
        return View("Receipt", new FloorReceipt(id.ToString("N")[..8].ToUpperInvariant(), id.ToString("N")[8..28].ToUpperInvariant()));
    }
}
