using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Messaging;

public sealed record CannedResponseView(int Id, string Title, string BodyEn, string BodyFi, string BodySv)
{
    /// <summary>The text in the victim's language; every canned response has all three.</summary>
    public string BodyIn(string language) => language switch
    {
        "fi" => BodyFi,
        "sv" => BodySv,
        _ => BodyEn,
    };
}

public sealed record SaveCannedResponse
{
    public string? Title { get; init; }

    public string? BodyEn { get; init; }

    public string? BodyFi { get; init; }

    public string? BodySv { get; init; }

    /// <summary>A new reply's form id: the same form sent twice (a second click, a retry) creates one reply.</summary>
    public Guid? SubmissionId { get; init; }
}

public sealed class SaveCannedResponseValidator : AbstractValidator<SaveCannedResponse>
{
    public SaveCannedResponseValidator()
    {
        RuleFor(r => r.Title).NotEmpty().WithErrorCode("Canned.Title.Required").WithMessage("Give the response a title.")
            .MaximumLength(100).WithErrorCode("Canned.Title.TooLong").WithMessage("A title is at most 100 characters.");
        RuleFor(r => r.BodyEn).NotEmpty().WithErrorCode("Canned.BodyEn.Required").WithMessage("Write the English text.")
            .MaximumLength(CannedResponse.MaxBodyLength).WithErrorCode("Message.Body.TooLong").WithMessage("A message is at most 5,000 characters.");
        RuleFor(r => r.BodyFi).NotEmpty().WithErrorCode("Canned.BodyFi.Required").WithMessage("Write the Finnish text.")
            .MaximumLength(CannedResponse.MaxBodyLength).WithErrorCode("Message.Body.TooLong").WithMessage("A message is at most 5,000 characters.");
        RuleFor(r => r.BodySv).NotEmpty().WithErrorCode("Canned.BodySv.Required").WithMessage("Write the Swedish text.")
            .MaximumLength(CannedResponse.MaxBodyLength).WithErrorCode("Message.Body.TooLong").WithMessage("A message is at most 5,000 characters.");
    }
}

/// <summary>
/// Replies supervisors prepare for common situations, in English, Finnish and Swedish. A change
/// and its audit entry commit together.
/// </summary>
public sealed class CannedResponsesHandler(PortalDbContext db, AuditTrail audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<CannedResponseView>> ListAsync(CancellationToken cancellationToken) =>
        await db.CannedResponses.AsNoTracking()
            .OrderBy(r => r.Title).ThenBy(r => r.Id)
            .Select(r => new CannedResponseView(r.Id, r.Title, r.BodyEn, r.BodyFi, r.BodySv))
            .ToListAsync(cancellationToken);

    public async Task<CannedResponseView?> FindAsync(int id, CancellationToken cancellationToken) =>
        await db.CannedResponses.AsNoTracking()
            .Where(r => r.Id == id)
            .Select(r => new CannedResponseView(r.Id, r.Title, r.BodyEn, r.BodyFi, r.BodySv))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>Creates one (id null) or replaces one; false when the one to replace is gone.</summary>
    public async Task<(bool Found, int Id)> SaveAsync(int? id, SaveCannedResponse request, Actor actor, CancellationToken cancellationToken)
    {
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                if (id is null && await EarlierFromThisFormAsync(request, token) is { } earlier)
                {
                    return (true, earlier);
                }

                var saved = await SaveChangesAsync(id, request, actor.StaffId ?? "", token);
                if (saved.Found)
                {
                    await audit.AppendAsync(actor.Event(AuditActions.CannedResponseSaved, subject: saved.Id.ToString(CultureInfo.InvariantCulture)), token);
                }

                return saved;
            }, cancellationToken);
        }
        catch (DbUpdateException) when (id is null && request.SubmissionId is not null)
        {
            // Two posts of the form at once: the other one created it. Any other failure goes on as it came.
            db.ChangeTracker.Clear();
            if (await EarlierFromThisFormAsync(request, cancellationToken) is not { } twin)
            {
                throw;
            }

            return (true, twin);
        }
    }

    /// <summary>The reply this form already created with the same words, if any.</summary>
    private async Task<int?> EarlierFromThisFormAsync(SaveCannedResponse request, CancellationToken cancellationToken)
    {
        if (request.SubmissionId is not { } formId)
        {
            return null;
        }

        var earlier = await db.CannedResponses.AsNoTracking().FirstOrDefaultAsync(r => r.SubmissionId == formId, cancellationToken);
        return earlier is not null
            && (earlier.Title, earlier.BodyEn, earlier.BodyFi, earlier.BodySv) == ((request.Title ?? "").Trim(), (request.BodyEn ?? "").Trim(), (request.BodyFi ?? "").Trim(), (request.BodySv ?? "").Trim())
            ? earlier.Id
            : null;
    }

    private async Task<(bool Found, int Id)> SaveChangesAsync(int? id, SaveCannedResponse request, string userId, CancellationToken cancellationToken)
    {
        var entity = id is null ? null : await db.CannedResponses.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (id is not null && entity is null)
        {
            return (false, 0);
        }

        if (entity is null)
        {
            // An id already used (an edited resend of the form) is not kept twice.
            var formIdUsed = request.SubmissionId is { } formId && await db.CannedResponses.AnyAsync(r => r.SubmissionId == formId, cancellationToken);
            entity = new CannedResponse { Title = "", BodyEn = "", BodyFi = "", BodySv = "", SubmissionId = formIdUsed ? null : request.SubmissionId };
            db.CannedResponses.Add(entity);
        }

        entity.Title = (request.Title ?? "").Trim();
        entity.BodyEn = (request.BodyEn ?? "").Trim();
        entity.BodyFi = (request.BodyFi ?? "").Trim();
        entity.BodySv = (request.BodySv ?? "").Trim();
        entity.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        entity.UpdatedById = userId;
        await db.SaveChangesAsync(cancellationToken);
        return (true, entity.Id);
    }

    /// <summary>True when the reply is gone: deleted now, or before (a second click, another tab; nothing more is recorded).</summary>
    public Task<bool> DeleteAsync(int id, Actor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            var subject = id.ToString(CultureInfo.InvariantCulture);
            var deleted = await db.CannedResponses.Where(r => r.Id == id).ExecuteDeleteAsync(token) == 1;
            if (deleted)
            {
                await audit.AppendAsync(actor.Event(AuditActions.CannedResponseDeleted, subject: subject), token);
                return true;
            }

            return await audit.RecordsAsync(AuditActions.CannedResponseDeleted, subject, null, token);
        }, cancellationToken);
}
