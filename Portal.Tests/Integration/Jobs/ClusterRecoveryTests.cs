using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Hangfire;
using Portal.Core.Data;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Jobs;

/// <summary>
/// Crash recovery across a cluster: a job node, a real OS process, is killed (SIGKILL) while a
/// routing job is in flight on it, the referral assigned and its email half-way into an SMTP
/// server that never answers. The dead node stops renewing its claim on the job (Hangfire.PostgreSql's
/// sliding invisibility timeout), so once that runs out another node's worker takes the job
/// and routes the referral: one assignment, one email. The timeout is seconds here, not minutes.
/// </summary>
public sealed class ClusterRecoveryTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> FastCluster = new()
    {
        ["Jobs:InvisibilityTimeout"] = "00:00:05",
        ["Jobs:HeartbeatInterval"] = "00:00:01",
        ["Jobs:ServerCheckInterval"] = "00:00:02",
        ["Jobs:ServerTimeout"] = "00:00:06",
    };

    /// <summary>The node victims and volunteers use: it enqueues jobs and runs none (Jobs:Enabled=false).</summary>
    private readonly PostgresJobsPortal web = new() { Extra = { ["Jobs:Enabled"] = "false" } };

    private PostgresJobsPortal? survivor;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)web).InitializeAsync();
        _ = web.Server;
    }

    public async Task DisposeAsync()
    {
        if (survivor is not null)
        {
            await ((IAsyncLifetime)survivor).DisposeAsync();
        }

        await ((IAsyncLifetime)web).DisposeAsync();
    }

    [Fact]
    public async Task NodeKilledWhileRoutingAReferral_AnotherNodeTakesTheJobOver_AndThePartnerIsEmailedOnce()
    {
        // Hangfire's schema exists before the other nodes start, so they do not race to create it.
        var storage = web.Services.GetRequiredService<JobStorage>();
        using var silentSmtp = new SilentSmtpServer();
        await using var doomed = PortalNodeProcess.Start(JobsPortal.Settings(new(FastCluster)
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = web.DatabaseConnectionString,
            ["Portal:DataDirectory"] = web.DataDirectory,
            ["Demo:Enabled"] = "false",
            ["Email:Host"] = "127.0.0.1",
            ["Email:Port"] = silentSmtp.Port.ToString(CultureInfo.InvariantCulture),
            // Far longer than the test: the send is still hanging (at the greeting) when the node is killed.
            ["Email:ConnectTimeoutSeconds"] = "600",
            ["Email:TimeoutSeconds"] = "600",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        }));

        var partner = await AddPartnerAsync(web, PartnerType.Counselling, "pohjanmaa");
        var filed = await FileAsync(web, new Dictionary<string, string?> { ["Region"] = "pohjanmaa", ["ConsentCounselling"] = "true" });
        using (var decided = await DecideAsync(web, filed.Id, "Counselling"))
        {
            Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        }

        var referralId = (await ReferralAsync(web, filed.Id, PartnerType.Counselling)).Id;
        // The decision nudges the referral sweep, which the doomed node runs and which gives the
        // referral its own routing job.
        var job = await Eventually.WaitAsync(() => Task.FromResult(web.LastJobOf(PortalJobKeys.OfReferral(referralId))), "the referral's routing job");

        // In flight on the doomed node: the partner chosen, the email claimed, the SMTP conversation hanging.
        await DoomedNode.WaitForNodeAsync(doomed, () => Task.FromResult(silentSmtp.Connections > 0), "the doomed node's routing job to reach the SMTP server");
        var processing = ProcessingServer(storage, job) ?? throw new InvalidOperationException($"Job {job} is not processing: {web.JobState(job)}.");
        var claim = Assert.Single(await WithDbAsync(web, db => db.ReferralAssignments.AsNoTracking().Where(a => a.ReferralId == referralId).ToListAsync()));
        Assert.Null(claim.NotifiedAt);
        var claimedAt = claim.NotificationClaimedAt ?? throw new InvalidOperationException("The doomed node assigned without claiming the email.");

        // A second job node joins while the first is alive and busy. By the time it takes over, the
        // dead node's claim on the email has run out (Routing:NotificationClaimTimeout).
        var node2 = new PostgresJobsPortal { SharedConnectionString = web.DatabaseConnectionString, DataDirectory = web.DataDirectory, Extra = new(FastCluster) };
        survivor = node2;
        var claimTimeout = web.Services.GetRequiredService<IOptions<RoutingOptions>>().Value.NotificationClaimTimeout;
        var untilExpired = claimedAt + claimTimeout + TimeSpan.FromSeconds(1) - node2.Clock.GetUtcNow().UtcDateTime;
        if (untilExpired > TimeSpan.Zero)
        {
            node2.Clock.Advance(untilExpired);
        }

        await ((IAsyncLifetime)node2).InitializeAsync();
        _ = node2.Server;
        await DoomedNode.WaitForNodeAsync(doomed, () => Task.FromResult(storage.GetMonitoringApi().Servers().Count(s => s.Queues.Contains(PortalJobKeys.DefaultQueue)) >= 2), "the second node's general server to announce itself");
        await doomed.KillAsync();

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail, 1, TimeSpan.FromSeconds(60)));
        Assert.Contains(filed.Reference, mail.Subject, StringComparison.Ordinal);
        await web.WaitForJobAsync(job, "Succeeded");

        // The same job, run to the end by another server; the dead one is dropped from the list.
        var history = storage.GetMonitoringApi().JobDetails(job).History;
        var lastRun = history.First(h => h.StateName == "Processing").Data["ServerId"];
        Assert.NotEqual(processing, lastRun);
        await Eventually.WaitAsync(() => Task.FromResult(storage.GetMonitoringApi().Servers().All(s => s.Name != processing)), "the dead server to be removed");
        Assert.Contains(node2.Logs.Lines, l => l.Contains($"Referral {referralId} routing run: Routed", StringComparison.Ordinal));

        // Exactly once: the same partner, one assignment, told once.
        Assert.Single(TestMailbox.Smtp.To(partner.ContactEmail));
        var assignment = Assert.Single(await WithDbAsync(web, db => db.ReferralAssignments.AsNoTracking().Where(a => a.ReferralId == referralId).ToListAsync()));
        Assert.Equal(partner.Id, assignment.PartnerId);
        Assert.NotNull(assignment.NotifiedAt);
        var referral = await ReferralAsync(web, filed.Id, PartnerType.Counselling);
        Assert.Equal(ReferralStatus.Assigned, referral.Status);
        Assert.Equal(partner.Id, referral.PartnerId);
        Assert.False(await WithDbAsync(web, db => db.JobFailures.AnyAsync()));
    }

    /// <summary>The server a job is processing on, as Hangfire's storage says; null when it is not processing.</summary>
    private static string? ProcessingServer(JobStorage storage, string job)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(job) is { Name: "Processing" } state && state.Data.TryGetValue("ServerId", out var server) ? server : null;
    }
}

/// <summary>Waiting on a node process that a test will kill.</summary>
internal static class DoomedNode
{
    /// <summary>Waits for a condition the doomed node brings about; if the node died on its own instead, says so with its output.</summary>
    public static async Task WaitForNodeAsync(PortalNodeProcess node, Func<Task<bool>> condition, string what)
    {
        try
        {
            await Eventually.WaitAsync(async () => node.HasExited || await condition(), what, TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message} The node's last output:{Environment.NewLine}{node.Output()}", timeout);
        }

        Assert.False(node.HasExited, $"The doomed node exited before {what}:{Environment.NewLine}{node.Output()}");
    }
}

/// <summary>An SMTP server that accepts connections and never says a word: a send to it hangs until the sender gives up.</summary>
internal sealed class SilentSmtpServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> accepted = [];
    private readonly CancellationTokenSource stop = new();
    private int connections;

    public SilentSmtpServer()
    {
        listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref connections);

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        lock (accepted)
        {
            accepted.ForEach(c => c.Dispose());
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                lock (accepted)
                {
                    accepted.Add(client);
                }

                Interlocked.Increment(ref connections);
            }
        }
        catch (Exception stopped) when (stopped is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Dispose stopped the listener; the test is over.
        }
    }
}
