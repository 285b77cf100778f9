using Portal.Web.Accounts;
using Portal.Web.Cli;
using Portal.Web.Data;
using Portal.Web.Demo;
using Portal.Web.Email;
using Portal.Web.Evidence;
using Portal.Web.Hosting;
using Portal.Web.Jobs;
using Portal.Web.Keys;
using Portal.Web.Localization;
using Portal.Web.Security;

// Operator verbs (migrate, create-admin, verify-audit, inspect-email, verify-bundle; --help, --version).
if (PortalCommands.IsCommand(args))
{
    return await PortalCommands.RunAsync(args, access => PortalCommands.BuildPortal(args, access), Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(PortalHost.Options(args));
builder.AddPortal();
var app = builder.Build();

if (!app.EnsurePortalKeys())
{
    return 1;
}

app.LogPortalEmailMode();
if (!await app.PreparePortalDatabaseAsync())
{
    await DataSetup.RunPortalOutOfServiceAsync(args);
    return 1;
}

await app.RecoverInterruptedUploadsAsync();
await app.SeedPortalDemoAsync();

app.UsePortalSecurity();
app.UsePortalHeadRequests();
app.UsePortalStaticFiles();
app.UsePortalLocalization();
app.UseRouting();
app.UsePortalRequestLimits();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UsePortalTwoFactor();
app.MapPortalHealthChecks();
app.MapPortalJobsDashboard();
app.MapControllerRoute(name: "default", pattern: "{controller=Home}/{action=Index}/{id?}");

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
