using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Data;
using Portal.Core.Features.Routing;
using Portal.Tests.Support;
using Portal.Web.Jobs;
using Quartz;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Jobs;

/// <summary>
/// Crash recovery across a cluster: a job node, a real OS process, is killed (SIGKILL) while a
/// routing job is in flight on it, the referral assigned and its email half-way into an SMTP
/// server that never answers. Another node sees the dead node's check-ins stop, recovers the job
/// the dead node left fired (the job requests recovery) and routes the referral: one assignment,
/// one email. Check-ins are every second so the takeover happens in seconds, not in 90.
/// </summary>
public sealed class ClusterRecoveryTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> FastCluster = new()
    {
        ["Jobs:ClusterCheckinInterval"] = "00:00:01",
        ["Jobs:ClusterCheckinMisfireThreshold"] = "00:00:03",
    };

    /// <summary>The node victims and volunteers use: it stores jobs and runs none (Jobs:Enabled=false).</summary>
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
    public async Task NodeKilledWhileRoutingAReferral_AnotherNodeRecoversTheJob_AndThePartnerIsEmailedOnce()
    {
        // The scheduler's tables exist before the other nodes start, so they do not race to create them.
        await web.SchedulerAsync();
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
        var job = QuartzReferralScheduler.KeyOf(referralId);

        // In flight on the doomed node: the partner chosen, the email claimed, the SMTP conversation hanging.
        await WaitForNodeAsync(doomed, () => Task.FromResult(silentSmtp.Connections > 0), "the doomed node's routing job to reach the SMTP server");
        var fired = Assert.Single(await FiredTriggersAsync(job));
        Assert.True(fired.RequestsRecovery, "a routing job must ask to be recovered when its node dies");
        var claim = Assert.Single(await WithDbAsync(web, db => db.ReferralAssignments.AsNoTracking().Where(a => a.ReferralId == referralId).ToListAsync()));
        Assert.Null(claim.NotifiedAt);
        var claimedAt = claim.NotificationClaimedAt ?? throw new InvalidOperationException("The doomed node assigned without claiming the email.");

        // A second job node joins the cluster while the first is alive and busy. By the time it takes
        // over, the dead node's claim on the email has run out (Routing:NotificationClaimTimeout).
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
        var scheduler2 = await node2.SchedulerAsync();
        var survivorId = await scheduler2.GetSchedulerInstanceId();
        Assert.NotEqual(survivorId, fired.Instance);
        await WaitForNodeAsync(doomed, async () => (await CheckedInAsync()).Contains(survivorId), "the second node to check in to the cluster");
        await doomed.KillAsync();

        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(partner.ContactEmail, 1, TimeSpan.FromSeconds(60)));
        Assert.Contains(filed.Reference, mail.Subject, StringComparison.Ordinal);
        await Eventually.WaitAsync(async () => !await scheduler2.Exists(job), "the recovered job to finish and be removed");

        // The dead node is out of the cluster and nothing of its run is left to fire again.
        Assert.DoesNotContain(fired.Instance, await CheckedInAsync());
        Assert.Empty(await FiredTriggersAsync(job));
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

    /// <summary>Waits for a condition the doomed node brings about; if the node died on its own instead, says so with its output.</summary>
    private static async Task WaitForNodeAsync(PortalNodeProcess node, Func<Task<bool>> condition, string what)
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

    /// <summary>The scheduler instances the cluster believes alive (the clustered store's own table).</summary>
    private async Task<IReadOnlyList<string>> CheckedInAsync() =>
        await QueryStoreAsync("SELECT instance_name FROM qrtz_scheduler_state WHERE sched_name = @scheduler", null, r => r.GetString(0));

    /// <summary>The store's record of a job that a node has fired and not finished: which node, and whether another may recover it.</summary>
    private async Task<IReadOnlyList<(string Instance, bool RequestsRecovery)>> FiredTriggersAsync(JobKey job) =>
        await QueryStoreAsync("SELECT instance_name, requests_recovery FROM qrtz_fired_triggers WHERE sched_name = @scheduler AND job_name = @job AND job_group = @group", job, r => (r.GetString(0), r.GetBoolean(1)));

    private async Task<IReadOnlyList<T>> QueryStoreAsync<T>(string sql, JobKey? job, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(web.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("scheduler", JobsSetup.SchedulerName);
        if (job is not null)
        {
            command.Parameters.AddWithValue("job", job.Name);
            command.Parameters.AddWithValue("group", job.Group);
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>An SMTP server that accepts connections and never says a word: a send to it hangs until the sender gives up.</summary>
    private sealed class SilentSmtpServer : IDisposable
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
}
