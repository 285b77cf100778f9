using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Notices;

public sealed record NoticeView(Guid Id, DateTime PublishedAt, string Title, string Body, bool Translated);

public sealed class ListNoticesHandler(PortalDbContext db)
{
    /// <summary>Newest first, each in the reader's language when the admin wrote one, else in English.</summary>
    public async Task<IReadOnlyList<NoticeView>> HandleAsync(string language, int take, CancellationToken cancellationToken)
    {
        var notices = await db.Notices.AsNoTracking()
            .OrderByDescending(n => n.PublishedAt)
            .Take(take)
            .ToListAsync(cancellationToken);
        return notices.Select(n => ToView(n, language)).ToList();
    }

    private static NoticeView ToView(Notice n, string language) => language switch
    {
        "fi" when !string.IsNullOrWhiteSpace(n.TitleFi) && !string.IsNullOrWhiteSpace(n.BodyFi) => new(n.Id, n.PublishedAt, n.TitleFi, n.BodyFi, true),
        "sv" when !string.IsNullOrWhiteSpace(n.TitleSv) && !string.IsNullOrWhiteSpace(n.BodySv) => new(n.Id, n.PublishedAt, n.TitleSv, n.BodySv, true),
        _ => new(n.Id, n.PublishedAt, n.TitleEn, n.BodyEn, language == "en"),
    };
}

public sealed record PostNotice
{
    public string? TitleEn { get; init; }

    public string? BodyEn { get; init; }

    public string? TitleFi { get; init; }

    public string? BodyFi { get; init; }

    public string? TitleSv { get; init; }

    public string? BodySv { get; init; }
}

public sealed class PostNoticeValidator : AbstractValidator<PostNotice>
{
    public PostNoticeValidator()
    {
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
    }
}

/// <summary>An admin publishes a notice; it and its audit entry commit together.</summary>
public sealed class PostNoticeHandler(PortalDbContext db, AuditTrail audit, TimeProvider clock)
{
    public async Task<Guid> HandleAsync(PostNotice request, Actor actor, CancellationToken cancellationToken)
    {
        var authorId = actor.StaffId ?? throw new ArgumentException("Only a staff member posts notices.", nameof(actor));
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
            AuthorId = authorId,
        };
        await db.InTransactionAsync(async token =>
        {
            db.Notices.Add(notice);
            await db.SaveChangesAsync(token);
            await audit.AppendAsync(actor.Event(AuditActions.NoticePosted), token);
        }, cancellationToken);
        return notice.Id;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
