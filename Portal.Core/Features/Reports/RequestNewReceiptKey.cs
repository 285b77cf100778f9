using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Jobs;

namespace Portal.Core.Features.Reports;

/// <summary>A lost receipt key: the case reference and the email address the victim gave with the report.</summary>
public sealed record RequestNewReceiptKey(string? Reference, string? Email);

public sealed class RequestNewReceiptKeyValidator : AbstractValidator<RequestNewReceiptKey>
{
    public RequestNewReceiptKeyValidator()
    {
        RuleFor(r => r.Reference)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithErrorCode("NewKey.Reference.Required").WithMessage("Enter your case reference.")
            .Must(r => CaseReference.TryNormalize(r, out _)).WithErrorCode("NewKey.Reference.Invalid").WithMessage("Enter the case reference as on your receipt, for example VS-7KQM-2XPD.");
        RuleFor(r => r.Email)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithErrorCode("NewKey.Email.Required").WithMessage("Enter the email address you gave with your report.")
            .MaximumLength(320).WithErrorCode("NewKey.Email.Invalid").WithMessage("Enter a valid email address.")
            .Must(PaymentDetailsValidator.BeEmailAddress).WithErrorCode("NewKey.Email.Invalid").WithMessage("Enter a valid email address.");
    }
}

/// <summary>
/// Takes a request for a new receipt key. It is only stored (sealed) and handed to the job that
/// matches it, so the answer costs the same whether the reference exists, whether the address is
/// the case's, or neither: nothing in it or its timing tells. The per-client limit is the web
/// layer's; the per-case limit (Reports:NewKeyEmailInterval) is the job's.
/// </summary>
public sealed class RequestNewReceiptKeyHandler(PortalDbContext db, EnvelopeCipher cipher, IFollowUpSignal followUp, TimeProvider clock)
{
    public async Task HandleAsync(RequestNewReceiptKey request, CancellationToken cancellationToken)
    {
        var sealedRequest = cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(request, ContactDetails.JsonOptions));
        await db.InTransactionAsync(async token =>
        {
            db.ReceiptKeyRequests.Add(new ReceiptKeyRequest { RequestEnvelope = sealedRequest, RequestedAt = clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync(token);
        }, cancellationToken);
        followUp.Notify(FollowUpWork.VictimNotifications);
    }
}

/// <summary>
/// The job's half of a new receipt key by email. Each stored request is matched against the case
/// with that reference: a case whose victim gave that email address (compared case-insensitively),
/// whose content retention has not removed and which was not sent a key within
/// Reports:NewKeyEmailInterval gets a new key. The key is made the case's (the old one stops
/// working, and so do the case sessions opened with it), kept sealed for the email and audited, in
/// one transaction with the request's deletion; any other request is simply deleted. Then each key
/// waiting to be sent is emailed to the case's address in the case's language, and cleared once
/// sent: a failed send is retried with the same key, a crash in between sends the same key twice.
/// An address the mail server refuses holds back only its own key: the rest are sent, then the
/// run throws so that one is retried (keys wait oldest first, so ending at it would stop them all).
/// The email carries the reference, the key and the address to use them at, nothing else.
/// </summary>
public sealed class SendNewReceiptKeysHandler(
    PortalDbContext db,
    EnvelopeCipher cipher,
    ReceiptHasher receipts,
    EmailComposer composer,
    IEmailSender sender,
    AuditTrail audit,
    IOptions<ReportOptions> options,
    TimeProvider clock)
{
    private const int Batch = 100;

    /// <summary>Matches the waiting requests and sends the waiting keys; returns the emails sent.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken)
    {
        await MatchRequestsAsync(cancellationToken);
        return await SendKeysAsync(cancellationToken);
    }

    private async Task MatchRequestsAsync(CancellationToken cancellationToken)
    {
        var requests = await db.ReceiptKeyRequests.AsNoTracking().OrderBy(r => r.Id).Take(Batch).ToListAsync(cancellationToken);
        foreach (var request in requests)
        {
            var asked = JsonSerializer.Deserialize<RequestNewReceiptKey>(cipher.Open(request.RequestEnvelope), ContactDetails.JsonOptions);
            var match = asked is not null && CaseReference.TryNormalize(asked.Reference, out var reference)
                ? await db.Cases.AsNoTracking().Where(c => c.Reference == reference)
                    .Select(c => new { c.Id, c.Reference, c.ContactEnvelope, c.RetainedAt, c.ReceiptEmailedAt })
                    .FirstOrDefaultAsync(cancellationToken)
                : null;
            var now = clock.GetUtcNow().UtcDateTime;
            var eligible = match is not null
                && match.RetainedAt is null
                && (match.ReceiptEmailedAt is null || now - match.ReceiptEmailedAt >= options.Value.NewKeyEmailInterval)
                && SameAddress(ContactDetails.Open(cipher, match.ContactEnvelope)?.Email, asked?.Email);

            var key = ReceiptKey.New();
            var keyEnvelope = cipher.SealString(key);
            await db.InTransactionAsync(async token =>
            {
                // Deleted by whoever gets here first: two nodes never both answer one request.
                if (await db.ReceiptKeyRequests.Where(r => r.Id == request.Id).ExecuteDeleteAsync(token) == 0 || !eligible || match is null)
                {
                    return;
                }

                var hash = receipts.Hash(match.Reference, key);
                await db.Cases.Where(c => c.Id == match.Id)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(c => c.ReceiptHash, hash)
                        .SetProperty(c => c.EarlierReceiptHashes, (byte[]?)null)
                        .SetProperty(c => c.ReceiptEmailedAt, now)
                        .SetProperty(c => c.ReceiptKeyEmailEnvelope, keyEnvelope)
                        .SetProperty(c => c.SessionGeneration, c => c.SessionGeneration + 1), token);
                await db.ShownReceipts.Where(r => r.CaseId == match.Id).ExecuteDeleteAsync(token);
                await audit.AppendAsync(AuditEvent.Victim(AuditActions.ReceiptReissuedByEmail, match.Id), token);
            }, cancellationToken);
        }
    }

    private async Task<int> SendKeysAsync(CancellationToken cancellationToken)
    {
        var waiting = await db.Cases.AsNoTracking()
            .Where(c => c.ReceiptKeyEmailEnvelope != null)
            .OrderBy(c => c.ReceiptEmailedAt)
            .Select(c => new { c.Id, c.Reference, c.Language, c.ContactEnvelope, c.ReceiptKeyEmailEnvelope, c.ReceiptEmailedAt })
            .Take(Batch)
            .ToListAsync(cancellationToken);

        var sent = 0;
        var refused = new List<EmailDeliveryException>();
        await using var batch = sender.StartBatch();
        foreach (var item in waiting)
        {
            if (item.ReceiptKeyEmailEnvelope is not { } envelope)
            {
                continue;
            }

            if (ContactDetails.Open(cipher, item.ContactEnvelope)?.Email is { Length: > 0 } address)
            {
                var about = $"{item.Id}/{item.ReceiptEmailedAt?.Ticks.ToString(CultureInfo.InvariantCulture)}";
                var message = composer.Compose(EmailTemplates.ReceiptNewKey, item.Language, [address], about, new Dictionary<string, string>
                {
                    ["Reference"] = item.Reference,
                    ["Key"] = cipher.OpenString(envelope),
                    ["Link"] = composer.Link("/status/open"),
                });
                try
                {
                    await batch.SendAsync(message, cancellationToken);
                }
                catch (EmailDeliveryException exception) when (exception.RecipientRefused)
                {
                    // This address only: the keys after it still go, and this one waits for the retry.
                    refused.Add(exception);
                    continue;
                }

                sent++;
            }

            await db.InTransactionAsync(async token =>
            {
                await db.Cases.Where(c => c.Id == item.Id && c.ReceiptKeyEmailEnvelope == envelope)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.ReceiptKeyEmailEnvelope, (byte[]?)null), token);
                await audit.AppendAsync(AuditEvent.System(AuditActions.ReceiptKeyEmailed, item.Id), token);
            }, cancellationToken);
        }

        if (refused.Count > 0)
        {
            throw new EmailDeliveryException(
                $"The mail server refused the address of {refused.Count} new receipt key email(s); {sent} other(s) were sent.", refused[0].SmtpStatus, refused[0], recipientRefused: true);
        }

        return sent;
    }

    private static bool SameAddress(string? stored, string? asked)
    {
        if (string.IsNullOrWhiteSpace(stored) || string.IsNullOrWhiteSpace(asked))
        {
            return false;
        }

        // Compared as fixed-length digests, so the comparison's time says nothing about the address.
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(stored.Trim().ToUpperInvariant()));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(asked.Trim().ToUpperInvariant()));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
