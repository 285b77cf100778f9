using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Accounts;

namespace Portal.Core.Features.Jobs;

/// <summary>A job that ran out of retries, as the job engine reports it: its key, what it was (the Hangfire job), how often it ran, and the last error.</summary>
public sealed record FailedJob(string JobKey, string? Subject, int Attempts, Exception Error);

/// <summary>Records the visible failed state of a job; resolves it when the job is retried or later succeeds.</summary>
public sealed class JobFailuresHandler(PortalDbContext db, TimeProvider clock)
{
    public async Task<JobFailure> RecordAsync(FailedJob failed, CancellationToken cancellationToken)
    {
        var failure = new JobFailure
        {
            JobKey = Limit(failed.JobKey, 200),
            Subject = failed.Subject is null ? null : Limit(failed.Subject, 200),
            Attempts = failed.Attempts,
            ErrorType = Limit(failed.Error.GetType().FullName ?? failed.Error.GetType().Name, 200),
            ErrorMessage = Limit(failed.Error.Message, 1000),
            FailedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.JobFailures.Add(failure);
        await db.SaveChangesAsync(cancellationToken);
        return failure;
    }

    /// <summary>
    /// Marks the job's open failures resolved. Asked after every success, so it only reads unless
    /// there is something to resolve (a write would take SQLite's write lock each time).
    /// </summary>
    public async Task<int> ResolveAsync(string jobKey, CancellationToken cancellationToken)
    {
        var open = db.JobFailures.Where(f => f.JobKey == jobKey && f.ResolvedAt == null);
        if (!await open.AnyAsync(cancellationToken))
        {
            return 0;
        }

        return await open.ExecuteUpdateAsync(f => f.SetProperty(x => x.ResolvedAt, clock.GetUtcNow().UtcDateTime), cancellationToken);
    }

    public async Task<JobFailure?> FindAsync(long id, CancellationToken cancellationToken) =>
        await db.JobFailures.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken);

    private static string Limit(string value, int length) => value.Length <= length ? value : value[..length];
}

/// <summary>Emails the active admins that a job failed for good: which job, what for (ids), how often, and the error type.</summary>
public sealed class NotifyJobFailureHandler(StaffRecipients recipients, EmailComposer composer, IEmailSender sender, IOptions<EmailOptions> email)
{
    public async Task<int> HandleAsync(long failureId, string jobKey, string? subject, int attempts, string errorType, CancellationToken cancellationToken)
    {
        var to = await recipients.InRoleAsync(StaffRoles.Admin, cancellationToken);
        if (to.Count == 0)
        {
            return 0;
        }

        var message = composer.Compose(EmailTemplates.JobFailed, email.Value.StaffLanguage, to, about: failureId.ToString(System.Globalization.CultureInfo.InvariantCulture), new Dictionary<string, string>
        {
            ["Job"] = jobKey,
            ["Subject"] = subject ?? "-",
            ["Attempts"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Error"] = errorType,
            ["Failure"] = failureId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Link"] = composer.Link(PortalRoutes.AdminJobs),
        });
        await sender.SendAsync(message, cancellationToken);
        return to.Count;
    }
}
