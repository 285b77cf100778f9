using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Triage;

namespace Portal.Core.Features.Messaging;

/// <summary>A message as its form sends it; <see cref="SubmissionId"/> is the form's own, the same when it is sent again.</summary>
public sealed record SendMessage(string? Body, string? SubmissionId = null)
{
    public const int MaxLength = CannedResponse.MaxBodyLength;

    public string Text => (Body ?? "").Trim();

    /// <summary>The form's id, when it is one: a post made by hand may carry anything or nothing, and is then simply a message.</summary>
    public Guid? FormId => Guid.TryParse(SubmissionId, out var id) ? id : null;
}

public sealed class SendMessageValidator : AbstractValidator<SendMessage>
{
    public SendMessageValidator()
    {
        RuleFor(m => m.Body).Must(b => !string.IsNullOrWhiteSpace(b))
            .WithErrorCode("Message.Body.Required").WithMessage("Write a message.")
            .MaximumLength(SendMessage.MaxLength)
            .WithErrorCode("Message.Body.TooLong").WithMessage("A message is at most 5,000 characters.");
    }
}

public enum SendOutcome
{
    Sent,
    NotFound,

    /// <summary>Staff: someone else holds the case, or the sender's claim lapsed.</summary>
    NotHolder,

    /// <summary>Victim: too many messages in a short time.</summary>
    TooMany,

    /// <summary>Staff: retention removed the case's content; nobody would read a message.</summary>
    Retained,
}

/// <summary>
/// <see cref="Resent"/>: the form had been sent before with the same words; <see cref="MessageId"/>
/// is the message it left then, and nothing was added.
/// </summary>
public sealed record SendResult(SendOutcome Outcome, long? MessageId = null, bool Resent = false);

/// <summary>
/// A message form sent again (the browser's retry after a lost answer, a second press of Send)
/// carries the same submission id and the same words: it is answered with the message it left the
/// first time. The same id with other words (a page kept open, edited and sent) is a new message,
/// stored without the id, which is taken.
/// </summary>
internal static class MessageResends
{
    public sealed record Earlier(long MessageId, bool SameWords);

    public static async Task<Earlier?> FindAsync(PortalDbContext db, EnvelopeCipher cipher, Guid caseId, SendMessage request, CancellationToken cancellationToken)
    {
        if (request.FormId is not { } submissionId)
        {
            return null;
        }

        var earlier = await db.CaseMessages.AsNoTracking()
            .Where(m => m.CaseId == caseId && m.SubmissionId == submissionId)
            .Select(m => new { m.Id, m.BodyEnvelope })
            .FirstOrDefaultAsync(cancellationToken);
        return earlier is null ? null : new(earlier.Id, cipher.OpenString(earlier.BodyEnvelope) == request.Text);
    }

    /// <summary>
    /// After a failed save: whether a concurrent post of the same form won (its message is the
    /// answer). The failed save's changes are dropped either way.
    /// </summary>
    public static async Task<SendResult?> WonByTwinAsync(PortalDbContext db, EnvelopeCipher cipher, Guid caseId, SendMessage request, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await FindAsync(db, cipher, caseId, request, cancellationToken) is { SameWords: true } twin
            ? new SendResult(SendOutcome.Sent, twin.MessageId, Resent: true)
            : null;
    }
}

/// <summary>
/// Staff write to the victim. On an open case only the volunteer holding a live claim may (the
/// conversation belongs to whoever works the case, and writing counts as activity on the claim);
/// once the case is decided, the volunteer who decided it and supervisors may. The text is sealed
/// before it is stored; a victim who chose email contact is marked to be told there is an update.
/// The message, that mark and the audit entry commit together, and the handler is done: the email
/// is follow-up work, sent by the notification job (<see cref="NotifyVictimsHandler"/>), which
/// this nudges after the commit. Sent here as well, it went twice whenever the job ran at the same
/// moment (docs/decisions/0016).
/// </summary>
public sealed class SendStaffMessageHandler(
    PortalDbContext db,
    EnvelopeCipher cipher,
    AuditTrail audit,
    IFollowUpSignal followUp,
    IOptions<TriageOptions> options,
    TimeProvider clock)
{
    public async Task<SendResult> HandleAsync(Guid caseId, SendMessage request, Actor actor, bool isSupervisor, CancellationToken cancellationToken)
    {
        var userId = ClaimCaseHandler.StaffIdOf(actor);
        SendResult result;
        var notifyVictim = false;
        try
        {
            result = await db.InTransactionAsync(async token =>
            {
                var (sent, pending) = await SendAsync(caseId, request, userId, isSupervisor, token);
                notifyVictim = pending;
                if (sent.Outcome == SendOutcome.NotFound)
                {
                    await audit.AppendAsync(actor.Event(AuditActions.AccessDenied, caseId, detail: "message"), token);
                }
                else if (sent is { Outcome: SendOutcome.Sent, Resent: false, MessageId: { } messageId })
                {
                    await audit.AppendAsync(actor.Event(AuditActions.MessageSent, caseId, messageId.ToString(CultureInfo.InvariantCulture)), token);
                }

                return sent;
            }, cancellationToken);
        }
        catch (DbUpdateException) when (request.FormId is not null)
        {
            // Anything else (a full disk, a lost database) goes on as it came, to its own page.
            if (await MessageResends.WonByTwinAsync(db, cipher, caseId, request, cancellationToken) is { } twin)
            {
                return twin;
            }

            throw;
        }

        if (notifyVictim)
        {
            followUp.Notify(FollowUpWork.VictimNotifications);
        }

        return result;
    }

    /// <summary>The outcome, and whether the message left an update email for the job.</summary>
    private async Task<(SendResult Result, bool NotificationPending)> SendAsync(Guid caseId, SendMessage request, string userId, bool isSupervisor, CancellationToken cancellationToken)
    {
        var entity = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (entity is null)
        {
            return (new(SendOutcome.NotFound), false);
        }

        if (entity.RetainedAt is not null)
        {
            return (new(SendOutcome.Retained), false);
        }

        // Sent before, with these words: that message is the answer, whoever holds the case now.
        var earlier = await MessageResends.FindAsync(db, cipher, caseId, request, cancellationToken);
        if (earlier is { SameWords: true })
        {
            return (new(SendOutcome.Sent, earlier.MessageId, Resent: true), false);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (!await MaySendAsync(entity, userId, isSupervisor, now, cancellationToken))
        {
            return (new(SendOutcome.NotHolder), false);
        }

        var message = await AddAsync(entity, request.Text, userId, now, cancellationToken);
        message.SubmissionId = earlier is null ? request.FormId : null;
        await db.SaveChangesAsync(cancellationToken);
        return (new(SendOutcome.Sent, message.Id), message.NotificationPending);
    }

    /// <summary>
    /// Adds a message from <paramref name="userId"/> to the tracked case, sealed, marked for an
    /// update email when the victim chose email contact (once until they have looked), renewing
    /// the writer's claim and recording the victim's first answer. Saved by the caller's
    /// transaction; whether this writer may write is the caller's check.
    /// </summary>
    public async Task<CaseMessage> AddAsync(Case entity, string body, string userId, DateTime now, CancellationToken cancellationToken)
    {
        // One "there is an update" email until the victim has looked: a second unread message
        // adds nothing to tell, and fewer emails reveal less to whoever else reads the inbox.
        // Only asked about a victim who chose email.
        var alreadyTold = Emailable(entity) && await UnreadAndAnnounced().AnyAsync(m => m.CaseId == entity.Id, cancellationToken);
        return Add(entity, body, userId, now, alreadyTold);
    }

    /// <summary>
    /// Of the cases, those whose victim has already been told of an update they have not read, read
    /// once for a batch of messages (a campaign reply writes thousands); only emailable cases matter.
    /// </summary>
    public async Task<HashSet<Guid>> AlreadyToldAsync(IEnumerable<Case> cases, CancellationToken cancellationToken)
    {
        var ids = cases.Where(Emailable).Select(c => c.Id).ToList();
        return ids.Count == 0 ? [] : [.. await UnreadAndAnnounced().Where(m => ids.Contains(m.CaseId)).Select(m => m.CaseId).Distinct().ToListAsync(cancellationToken)];
    }

    /// <summary>As <see cref="AddAsync"/>, with whether the victim was already told read beforehand (<see cref="AlreadyToldAsync"/>).</summary>
    public CaseMessage Add(Case entity, string body, string userId, DateTime now, bool alreadyTold)
    {
        var emailable = Emailable(entity);
        var message = new CaseMessage
        {
            CaseId = entity.Id,
            Direction = MessageDirection.ToVictim,
            AuthorId = userId,
            BodyEnvelope = cipher.SealString(body.Trim()),
            SentAt = now,
            NotificationPending = emailable && !alreadyTold,
        };
        db.CaseMessages.Add(message);
        if (entity.ClaimedById == userId)
        {
            entity.ClaimedAt = now;
        }

        entity.UpdatedAt = now;
        entity.RecordFirstResponse(now);
        return message;
    }

    private static bool Emailable(Case entity) => entity.ContactPreference == ContactPreference.Email && entity.ContactEnvelope is not null;

    private IQueryable<CaseMessage> UnreadAndAnnounced() =>
        db.CaseMessages.Where(m => m.Direction == MessageDirection.ToVictim && m.ReadAt == null && (m.NotificationPending || m.NotifiedAt != null));

    /// <summary>
    /// A supervisor answering a whole campaign at once may write to every case of it that nobody
    /// else is working: decided cases (as supervisors always may) and open cases not held by
    /// someone else's live claim, whose conversation belongs to that volunteer. Never to a case
    /// whose content retention removed.
    /// </summary>
    public static bool MayAnswerForCampaign(Case entity, string supervisorId, DateTime now, TimeSpan claimLapse) =>
        entity.RetainedAt is null
        && (entity.Status is CaseStatus.Referred or CaseStatus.Closed || !ClaimCaseHandler.HeldByAnother(entity, supervisorId, now, claimLapse));

    /// <summary>Whether the compose form should be offered at all; the send checks again.</summary>
    public async Task<bool> MaySendAsync(Guid caseId, string userId, bool isSupervisor, CancellationToken cancellationToken)
    {
        var entity = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        return entity is not null && await MaySendAsync(entity, userId, isSupervisor, clock.GetUtcNow().UtcDateTime, cancellationToken);
    }

    private async Task<bool> MaySendAsync(Case entity, string userId, bool isSupervisor, DateTime now, CancellationToken cancellationToken)
    {
        if (entity.RetainedAt is not null)
        {
            // Its content is gone and its victim can no longer open it: nobody would read it.
            return false;
        }

        if (entity.Status is CaseStatus.Received or CaseStatus.InTriage)
        {
            return entity.ClaimedById == userId && entity.ClaimedAt > now - options.Value.ClaimLapse;
        }

        return isSupervisor || await db.TriageDecisions.AnyAsync(d => d.CaseId == entity.Id && d.DecidedById == userId, cancellationToken);
    }
}

/// <summary>
/// The victim replies from the receipt status page; a flood from one case is refused. The sealed
/// message and its audit entry (by case, never by address) commit together.
/// </summary>
public sealed class SendVictimMessageHandler(PortalDbContext db, EnvelopeCipher cipher, AuditTrail audit, TimeProvider clock)
{
    public const int MaxPerHour = 10;

    public async Task<SendResult> HandleAsync(Guid caseId, SendMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(caseId, request, cancellationToken);
        }
        catch (DbUpdateException) when (request.FormId is not null)
        {
            // Anything else (a full disk, a lost database) goes on as it came, to its own page.
            if (await MessageResends.WonByTwinAsync(db, cipher, caseId, request, cancellationToken) is { } twin)
            {
                return twin;
            }

            throw;
        }
    }

    private async Task<SendResult> SendAsync(Guid caseId, SendMessage request, CancellationToken cancellationToken)
    {
        var entity = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (entity is null || entity.RetainedAt is not null)
        {
            return new(SendOutcome.NotFound);
        }

        // Sent before, with these words (the answer was lost, or Send was pressed twice): that message, not a second one.
        var earlier = await MessageResends.FindAsync(db, cipher, caseId, request, cancellationToken);
        if (earlier is { SameWords: true })
        {
            return new(SendOutcome.Sent, earlier.MessageId, Resent: true);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var message = new CaseMessage
        {
            CaseId = caseId,
            Direction = MessageDirection.FromVictim,
            BodyEnvelope = cipher.SealString(request.Text),
            SentAt = now,
            SubmissionId = earlier is null ? request.FormId : null,
        };
        return await db.InTransactionAsync(async token =>
        {
            // The case's row first (an update that changes nothing): posts from one case take turns,
            // so the hour's count below is exact however many arrive at once (SQLite has one writer anyway).
            await db.Cases.Where(c => c.Id == caseId).ExecuteUpdateAsync(c => c.SetProperty(x => x.UpdatedAt, x => x.UpdatedAt), token);
            var hourAgo = now.AddHours(-1);
            if (await db.CaseMessages.CountAsync(m => m.CaseId == caseId && m.Direction == MessageDirection.FromVictim && m.SentAt > hourAgo, token) >= MaxPerHour)
            {
                return new SendResult(SendOutcome.TooMany);
            }

            db.CaseMessages.Add(message);
            entity.UpdatedAt = now;
            await db.SaveChangesAsync(token);
            await audit.AppendAsync(AuditEvent.Victim(AuditActions.MessageReceived, caseId, message.Id.ToString(CultureInfo.InvariantCulture)), token);
            return new SendResult(SendOutcome.Sent, message.Id);
        }, cancellationToken);
    }
}
