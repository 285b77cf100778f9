using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Notices;

public sealed record NoticeView(Guid Id, DateTime PublishedAt, string Title, string Body, bool Translated)
{
    /// <summary>The deadline the notice announces, if it is one.</summary>
    public DateOnly? DeadlineOn { get; init; }
}

public sealed class ListNoticesHandler(PortalDbContext db)
{
    /// <summary>For the admins' page: every notice still shown, newest first, by its English title.</summary>
    public async Task<IReadOnlyList<PublishedNotice>> PublishedAsync(int take, CancellationToken cancellationToken) =>
        await db.Notices.AsNoTracking()
            .Where(n => n.WithdrawnAt == null)
            .OrderByDescending(n => n.PublishedAt)
            .Take(take)
            .Select(n => new PublishedNotice(n.Id, n.PublishedAt, n.TitleEn, n.DeadlineOn))
            .ToListAsync(cancellationToken);

    /// <summary>Newest first, each in the reader's language when the admin wrote one, else in English.</summary>
    public async Task<IReadOnlyList<NoticeView>> HandleAsync(string language, int take, CancellationToken cancellationToken)
    {
        var notices = await db.Notices.AsNoTracking()
            .Where(n => n.WithdrawnAt == null)
            .OrderByDescending(n => n.PublishedAt)
            .Take(take)
            .ToListAsync(cancellationToken);
        return notices.Select(n => ToView(n, language)).ToList();
    }

    internal static NoticeView ToView(Notice n, string language) => (language switch
    {
        "fi" when !string.IsNullOrWhiteSpace(n.TitleFi) && !string.IsNullOrWhiteSpace(n.BodyFi) => new NoticeView(n.Id, n.PublishedAt, n.TitleFi, n.BodyFi, true),
        "sv" when !string.IsNullOrWhiteSpace(n.TitleSv) && !string.IsNullOrWhiteSpace(n.BodySv) => new NoticeView(n.Id, n.PublishedAt, n.TitleSv, n.BodySv, true),
        _ => new NoticeView(n.Id, n.PublishedAt, n.TitleEn, n.BodyEn, language == "en"),
    }) with { DeadlineOn = n.DeadlineOn };
}

public sealed record PostNotice
{
    public string? TitleEn { get; init; }

    public string? BodyEn { get; init; }

    public string? TitleFi { get; init; }

    public string? BodyFi { get; init; }

    public string? TitleSv { get; init; }

    public string? BodySv { get; init; }

    /// <summary>yyyy-MM-dd when the notice announces a deadline; empty for a plain notice.</summary>
    public string? DeadlineOn { get; init; }

    public DeadlineAudience Audience { get; init; }

    /// <summary>The breach organisation's key, when the deadline concerns that organisation's cases.</summary>
    public string? AudienceBreachOrganisation { get; init; }

    /// <summary>The form's id: the same form sent twice (a second click, a retry) posts one notice.</summary>
    public Guid? SubmissionId { get; init; }

    internal static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}

public sealed class PostNoticeValidator : AbstractValidator<PostNotice>
{
    /// <summary>Further than this is a mistyped year.</summary>
    public const int MaxYearsAhead = 10;

    public PostNoticeValidator(IOptions<ReportOptions> reports, TimeProvider clock)
    {
        // Today where the victims are (their pages show the deadline), not in UTC: in Helsinki
        // the day starts two or three hours earlier.
        var zone = TimeZoneInfo.FindSystemTimeZoneById(reports.Value.TimeZone);
        DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(clock.GetUtcNow().UtcDateTime, zone));

        var organisations = reports.Value.BreachOrganisations.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        RuleFor(n => n.TitleEn).NotEmpty().WithErrorCode("Notice.TitleEn.Required").WithMessage("An English title is required.")
            .MaximumLength(200).WithErrorCode("Notice.Title.TooLong").WithMessage("Titles are at most 200 characters.");
        RuleFor(n => n.BodyEn).NotEmpty().WithErrorCode("Notice.BodyEn.Required").WithMessage("An English text is required.")
            .MaximumLength(20_000).WithErrorCode("Notice.Body.TooLong").WithMessage("The text is too long.");
        RuleFor(n => n.TitleFi).MaximumLength(200).WithErrorCode("Notice.Title.TooLong").WithMessage("Titles are at most 200 characters.");
        RuleFor(n => n.TitleSv).MaximumLength(200).WithErrorCode("Notice.Title.TooLong").WithMessage("Titles are at most 200 characters.");
        RuleFor(n => n.BodyFi).MaximumLength(20_000).WithErrorCode("Notice.Body.TooLong").WithMessage("The text is too long.");
        RuleFor(n => n.BodySv).MaximumLength(20_000).WithErrorCode("Notice.Body.TooLong").WithMessage("The text is too long.");
        RuleFor(n => n).Must(n => string.IsNullOrWhiteSpace(n.TitleFi) == string.IsNullOrWhiteSpace(n.BodyFi))
            .OverridePropertyName(nameof(PostNotice.TitleFi)).WithErrorCode("Notice.Translation.Incomplete").WithMessage("Give both a title and a text, or neither.");
        RuleFor(n => n).Must(n => string.IsNullOrWhiteSpace(n.TitleSv) == string.IsNullOrWhiteSpace(n.BodySv))
            .OverridePropertyName(nameof(PostNotice.TitleSv)).WithErrorCode("Notice.Translation.Incomplete").WithMessage("Give both a title and a text, or neither.");

        RuleFor(n => n.DeadlineOn)
            .Cascade(CascadeMode.Stop)
            .Must(v => PostNotice.TryParseDate(v, out _)).WithErrorCode("Notice.DeadlineOn.Invalid").WithMessage("Enter the date as year-month-day.")
            .Must(v => PostNotice.TryParseDate(v, out var d) && d >= Today())
                .WithErrorCode("Notice.DeadlineOn.Past").WithMessage("A deadline cannot be in the past.")
            .Must(v => PostNotice.TryParseDate(v, out var d) && d <= Today().AddYears(MaxYearsAhead))
                .WithErrorCode("Notice.DeadlineOn.TooFar").WithMessage("A deadline more than ten years ahead is surely a typing error. Check the year.")
            .When(n => !string.IsNullOrWhiteSpace(n.DeadlineOn));
        RuleFor(n => n.Audience)
            .IsInEnum().WithErrorCode("Notice.Audience.Invalid").WithMessage("Choose which cases the deadline concerns.");
        RuleFor(n => n.AudienceBreachOrganisation)
            .Must(o => o is not null && organisations.Contains(o)).WithErrorCode("Notice.AudienceBreachOrganisation.Invalid").WithMessage("Choose an organisation from the list.")
            .When(n => n.Audience == DeadlineAudience.BreachOrganisation && !string.IsNullOrWhiteSpace(n.DeadlineOn));
    }
}

/// <summary>An admin publishes a notice, or a deadline; the notice and its audit entry commit together.</summary>
public sealed class PostNoticeHandler(PortalDbContext db, AuditTrail audit, TimeProvider clock)
{
    public async Task<Guid> HandleAsync(PostNotice request, StaffActor admin, CancellationToken cancellationToken)
    {
        DateOnly? deadline = PostNotice.TryParseDate(request.DeadlineOn, out var on) ? on : null;
        var notice = new Notice
        {
            Id = Guid.CreateVersion7(),
            PublishedAt = clock.GetUtcNow().UtcDateTime,
            TitleEn = request.TitleEn?.Trim() ?? "",
            BodyEn = request.BodyEn?.Trim() ?? "",
            TitleFi = Blank(request.TitleFi),
            BodyFi = Blank(request.BodyFi),
            TitleSv = Blank(request.TitleSv),
            BodySv = Blank(request.BodySv),
            AuthorId = admin.UserId,
            DeadlineOn = deadline,
            Audience = deadline is null ? DeadlineAudience.AllCases : request.Audience,
            AudienceBreachOrganisation = deadline is not null && request.Audience == DeadlineAudience.BreachOrganisation ? request.AudienceBreachOrganisation : null,
        };
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                if (request.SubmissionId is { } formId)
                {
                    // Posted before from this form: with the same words that notice is the answer; with
                    // other words (a page kept open, edited and sent) this is a notice of its own.
                    var earlier = await EarlierAsync(formId, token);
                    if (earlier is not null && Same(earlier, notice))
                    {
                        return earlier.Id;
                    }

                    notice.SubmissionId = earlier is null ? formId : null;
                }

                db.Notices.Add(notice);
                await db.SaveChangesAsync(token);
                await audit.AppendAsync(admin.Event(AuditActions.NoticePosted, subject: notice.Id.ToString(), detail: deadline?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), token);
                return notice.Id;
            }, cancellationToken);
        }
        catch (DbUpdateException) when (notice.SubmissionId is { } formId)
        {
            // Two posts of the form at once: the other one posted it. Any other failure goes on as it came.
            db.ChangeTracker.Clear();
            var twin = await EarlierAsync(formId, cancellationToken);
            if (twin is null || !Same(twin, notice))
            {
                throw;
            }

            return twin.Id;
        }
    }

    /// <summary>The notice the form <paramref name="formId"/> posted, if any.</summary>
    private Task<Notice?> EarlierAsync(Guid formId, CancellationToken cancellationToken) =>
        db.Notices.AsNoTracking().FirstOrDefaultAsync(n => n.SubmissionId == formId, cancellationToken);

    private static bool Same(Notice earlier, Notice posted) =>
        (earlier.TitleEn, earlier.BodyEn, earlier.TitleFi, earlier.BodyFi, earlier.TitleSv, earlier.BodySv, earlier.DeadlineOn, earlier.Audience, earlier.AudienceBreachOrganisation)
        == (posted.TitleEn, posted.BodyEn, posted.TitleFi, posted.BodyFi, posted.TitleSv, posted.BodySv, posted.DeadlineOn, posted.Audience, posted.AudienceBreachOrganisation);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// An admin withdraws a notice they published by mistake (a wrong date): it leaves the updates
/// page and the cases it concerned, and no reminder of it is sent from then on. The row stays;
/// the withdrawal and its audit entry commit together. Withdrawing again changes nothing.
/// </summary>
public sealed class WithdrawNoticeHandler(PortalDbContext db, AuditTrail audit, TimeProvider clock)
{
    /// <summary>False when there is no such notice, or it was withdrawn already.</summary>
    public Task<bool> HandleAsync(Guid noticeId, StaffActor admin, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var withdrawn = await db.Notices.Where(n => n.Id == noticeId && n.WithdrawnAt == null)
                .ExecuteUpdateAsync(n => n.SetProperty(x => x.WithdrawnAt, now), token) == 1;
            if (withdrawn)
            {
                await audit.AppendAsync(admin.Event(AuditActions.NoticeWithdrawn, subject: noticeId.ToString()), token);
            }

            return withdrawn;
        }, cancellationToken);
}

/// <summary>The notices an admin may withdraw: published and not withdrawn, newest first.</summary>
public sealed record PublishedNotice(Guid Id, DateTime PublishedAt, string Title, DateOnly? DeadlineOn);
