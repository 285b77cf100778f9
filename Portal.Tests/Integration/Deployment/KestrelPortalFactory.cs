using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Deployment;

/// <summary>
/// The portal on Kestrel (a real socket, which checks response headers and times out slow bodies
/// as the in-memory test server does not), on plain HTTP as a local run, recording the status
/// each request finished with, including those whose client left before the answer.
/// </summary>
public class KestrelPortalFactory : SqlitePortalFactory
{
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    public ConcurrentQueue<(string Method, string Path, int Status)> Finished { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Security:HttpsCookies", "false")];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Address = StartOnKestrel();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter>(new RecordStatus(Finished)));
    }

    private sealed class RecordStatus(ConcurrentQueue<(string Method, string Path, int Status)> finished) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var (method, path) = (context.Request.Method, context.Request.Path.Value ?? "");
                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    finished.Enqueue((method, path, context.Response.StatusCode));
                }
            });
            next(app);
        };
    }
}
