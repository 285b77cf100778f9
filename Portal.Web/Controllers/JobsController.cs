using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;
using Portal.Web.Accounts;
using Portal.Web.Audit;
using Portal.Web.Jobs;
using Quartz;

namespace Portal.Web.Controllers;

public sealed record JobsViewModel(JobsOverview Overview, string? MessageKey);

/// <summary>A recurring job an admin is about to pause: its key and its name's UI string suffix.</summary>
public sealed record JobPauseViewModel(string Key, string Name);

/// <summary>
/// Admins see the recurring jobs (next run, state) and the jobs that failed for good, retry a
/// failed job now, and pause or resume a recurring one. Every action is audited.
/// </summary>
[Authorize(Policy = StaffPolicies.Admin)]
[Route("admin/jobs")]
public sealed class JobsController(JobsOverviewQuery overview, JobFailuresHandler failures, ISchedulerFactory schedulers, AuditTrail audit) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index([FromQuery] string? done, CancellationToken cancellationToken)
    {
        var messageKey = done switch
        {
            "retried" => "Jobs.Retried",
            "paused" => "Jobs.PausedMessage",
            "resumed" => "Jobs.ResumedMessage",
            "missing" => "Jobs.Missing",
            _ => null,
        };
        return View(new JobsViewModel(await overview.HandleAsync(cancellationToken), messageKey));
    }

    [HttpPost("failures/{failureId:long}/retry")]
    public async Task<IActionResult> Retry(long failureId, CancellationToken cancellationToken)
    {
        var failure = await failures.FindAsync(failureId, cancellationToken);
        var key = JobsOverviewQuery.Parse(failure?.JobKey);
        if (failure is null || key is null)
        {
            return NotFound();
        }

        var scheduler = await schedulers.GetPortalScheduler(cancellationToken);
        if (!await JobQueue.RetryNowAsync(scheduler, key, cancellationToken))
        {
            return LocalRedirect("/admin/jobs?done=missing");
        }

        await failures.ResolveAsync(failure.JobKey, cancellationToken);
        await audit.AppendAsync(HttpContext.StaffEvent(AuditActions.JobRetried, subject: failure.JobKey, detail: $"failure {failure.Id}"), cancellationToken);
        return LocalRedirect("/admin/jobs?done=retried");
    }

    /// <summary>
    /// Pausing stops work victims and partners wait for (alerts, routing, emails) until someone
    /// resumes it, so the admin is first told what stops and asked to confirm.
    /// </summary>
    [HttpGet("recurring/{key}/pause")]
    public IActionResult ConfirmPause(string key)
    {
        var job = Recurring(key);
        return job is null ? NotFound() : View("ConfirmPause", new JobPauseViewModel(key, job.Name));
    }

    /// <summary>Pauses only when confirmed; an unconfirmed request (an old page, a stray form) is shown the question instead.</summary>
    [HttpPost("recurring/{key}/pause")]
    public async Task<IActionResult> Pause(string key, [FromForm] bool confirmed, CancellationToken cancellationToken)
    {
        if (Recurring(key) is null)
        {
            return NotFound();
        }

        return confirmed ? await SetPausedAsync(key, true, cancellationToken) : LocalRedirect($"/admin/jobs/recurring/{Uri.EscapeDataString(key)}/pause");
    }

    [HttpPost("recurring/{key}/resume")]
    public async Task<IActionResult> Resume(string key, CancellationToken cancellationToken) => await SetPausedAsync(key, false, cancellationToken);

    private async Task<IActionResult> SetPausedAsync(string key, bool pause, CancellationToken cancellationToken)
    {
        var job = Recurring(key);
        if (job is null)
        {
            return NotFound();
        }

        var scheduler = await schedulers.GetPortalScheduler(cancellationToken);
        var trigger = PortalJobKeys.RecurringTrigger(job);
        if (pause)
        {
            await scheduler.PauseTrigger(trigger, cancellationToken);
        }
        else
        {
            await scheduler.ResumeTrigger(trigger, cancellationToken);
        }

        await audit.AppendAsync(HttpContext.StaffEvent(pause ? AuditActions.JobPaused : AuditActions.JobResumed, subject: key), cancellationToken);
        return LocalRedirect(pause ? "/admin/jobs?done=paused" : "/admin/jobs?done=resumed");
    }

    private static JobKey? Recurring(string key) => JobsOverviewQuery.RecurringJobs.FirstOrDefault(k => PortalJobKeys.Name(k) == key);
}
