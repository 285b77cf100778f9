using HangfireLog = Hangfire.Logging;

namespace Portal.Web.Jobs;

/// <summary>
/// Hangfire's log, written to the portal's. Hangfire keeps its log provider in a static, so in a
/// process that hosts several portals (the tests) one portal's Hangfire may log through another
/// portal's logger factory after that one was disposed: such a line is dropped instead of
/// failing the job that logged it.
/// </summary>
internal sealed class HangfireLogging(ILoggerFactory loggers) : HangfireLog.ILogProvider
{
    public HangfireLog.ILog GetLogger(string name) => new PortalLog(loggers, name);

    private sealed class PortalLog(ILoggerFactory loggers, string name) : HangfireLog.ILog
    {
        private ILogger? logger;

        public bool Log(HangfireLog.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                logger ??= loggers.CreateLogger(name);
                var level = logLevel switch
                {
                    HangfireLog.LogLevel.Trace => LogLevel.Trace,
                    HangfireLog.LogLevel.Debug => LogLevel.Debug,
                    HangfireLog.LogLevel.Info => LogLevel.Information,
                    HangfireLog.LogLevel.Warn => LogLevel.Warning,
                    HangfireLog.LogLevel.Error => LogLevel.Error,
                    HangfireLog.LogLevel.Fatal => LogLevel.Critical,
                    _ => LogLevel.None,
                };
                if (messageFunc is null)
                {
                    return logger.IsEnabled(level);
                }

                // Hangfire's own messages; exceptions by type only, as everywhere in the portal's log.
#pragma warning disable CA2254 // The template is Hangfire's message, already formatted.
                logger.Log(level, exception is null ? messageFunc() : $"{messageFunc()} ({exception.GetType().Name})");
#pragma warning restore CA2254
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
