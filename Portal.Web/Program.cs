using Portal.Web.Accounts;
using Portal.Web.Campaigns;
using Portal.Web.Cli;
using Portal.Web.Data;
using Portal.Web.Email;
using Portal.Web.Demo;
using Portal.Web.Evidence;
using Portal.Web.Hosting;
using Portal.Web.Jobs;
using Portal.Web.Keys;
using Portal.Web.Localization;
using Portal.Web.Messaging;
using Portal.Web.Reports;
using Portal.Web.Routing;
using Portal.Web.Security;
using Portal.Web.Triage;
using Portal.Web.Audit;
using Portal.Web.Bundles;

// Offline verbs need no host, database or keys.
if (InspectEmailCommand.IsCommand(args))
{
    return await InspectEmailCommand.RunAsync(args, Console.Out, Console.Error);
}

if (VerifyBundleCommand.IsCommand(args))
{
    return await VerifyBundleCommand.RunAsync(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(PortalHost.Options(args));

builder.AddPortalPaths();
builder.AddPortalKeys();
builder.AddPortalEmail();
builder.AddPortalData();
builder.AddPortalIdentity();
builder.AddPortalInvitations();
builder.AddPortalLocalization();
builder.AddPortalSecurity();
builder.AddPortalReports();
builder.AddPortalEvidence();
builder.AddPortalIntake();
builder.AddPortalAudit();
builder.AddPortalTriage();
builder.AddPortalMessaging();
builder.AddPortalRouting();
builder.AddPortalBundles();
builder.AddPortalCampaigns();
builder.AddPortalJobs();
builder.AddPortalDemo();

var app = builder.Build();

if (PortalCommands.IsCommand(args))
{
    return await PortalCommands.RunAsync(app, args);
}

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
app.MapControllerRoute(name: "default", pattern: "{controller=Home}/{action=Index}/{id?}");

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
