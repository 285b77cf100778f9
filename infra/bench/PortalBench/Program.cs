using PortalBench;

// Benchmarks for the issues' performance targets; each prints a Markdown table.
//   PortalBench submit <Portal.Web.dll> [seconds per phase]
//   PortalBench report-handler - [reports per round]
//   PortalBench upload <Portal.Web.dll> [megabytes]
//   PortalBench parse - [megabytes]
//   PortalBench queue <Portal.Web.dll> [seconds per phase]
//   PortalBench bundle <Portal.Web.dll> [megabytes]
//   PortalBench case-file <Portal.Web.dll> [megabytes]
//   PortalBench dashboard <Portal.Web.dll> [seconds per phase]
//   PortalBench campaign-actions <Portal.Web.dll> [cases in the campaign]
//   PortalBench route - [referrals per phase]
//   PortalBench jobs-idle sqlite|postgres [seconds]
//   PortalBench jobs-latency sqlite|postgres [urgent referrals]
//   PortalBench drill <Portal.Web.dll> [kill -9 cycles]
//   PortalBench forwarding-intake <Portal.Web.dll> [messages]   (IMAP server in PORTAL_BENCH_IMAP)
var usage = "usage: PortalBench report-handler - [reports per round] | PortalBench submit|upload|queue|bundle|case-file|dashboard|campaign-actions <Portal.Web.dll> [seconds|megabytes|cases] | PortalBench parse - [megabytes] | PortalBench route - [referrals] | PortalBench jobs-idle sqlite|postgres [seconds] | PortalBench jobs-latency sqlite|postgres [referrals] | PortalBench drill <Portal.Web.dll> [cycles] | PortalBench forwarding-intake <Portal.Web.dll> [messages]";
if (args.Length < 2)
{
    Console.Error.WriteLine(usage);
    return 2;
}

var portalDll = Path.GetFullPath(args[1]);
var number = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
return args[0] switch
{
    "submit" => await SubmitBenchmark.RunAsync(portalDll, number > 0 ? number : 20),
    "report-handler" => await ReportHandlerBenchmark.RunAsync(number > 0 ? number : 4000),
    "floor-server" => await MvcFloor.ServeAsync(),
    "upload" => await UploadBenchmark.RunAsync(portalDll, number > 0 ? number : 1024),
    "parse" => ParseBenchmark.Run(number > 0 ? number : 500),
    "queue" => await QueueBenchmark.RunAsync(portalDll, number > 0 ? number : 20),
    "bundle" => await BundleBenchmark.RunAsync(portalDll, number > 0 ? number : 1024),
    "case-file" => await CaseFileBenchmark.RunAsync(portalDll, number > 0 ? number : 200),
    "dashboard" => await DashboardBenchmark.RunAsync(portalDll, number > 0 ? number : 15),
    "campaign-actions" => await CampaignActionBenchmark.RunAsync(portalDll, number > 0 ? number : 5000),
    "route" => await RouteBenchmark.RunAsync(number > 0 ? number : 3000),
    "jobs-idle" => await JobsIdleBenchmark.RunAsync(args[1], number > 0 ? number : 660),
    "jobs-latency" => await JobsLatencyBenchmark.RunAsync(args[1], number > 0 ? number : 200),
    "drill" => await Drill.RunAsync(portalDll, number > 0 ? number : 12),
    "forwarding-intake" => await IntakeBenchmark.RunAsync(portalDll, number > 0 ? number : 1000),
    _ => Fail(),
};

int Fail()
{
    Console.Error.WriteLine(usage);
    return 2;
}
