using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;

namespace Portal.Core.Features.Reports;

/// <summary>A report in progress as the victim left it.</summary>
public sealed record ReportDraftView(SubmitReport Answers, int ReachedStep, Guid? SubmittedCaseId);

/// <summary>
/// The victim's answers between the steps of the report form, kept sealed on the server under the
/// SHA-256 of a random token that only their browser holds, until they expire
/// (Reports:DraftLifetime, renewed on every step), the victim starts again, leaves with quick exit,
/// or has seen the receipt of the report the draft became. Nothing is audited: a draft belongs to
/// no case, and the trail records victims only by case.
/// </summary>
public sealed class ReportDrafts(PortalDbContext db, EnvelopeCipher cipher, IOptions<ReportOptions> options, TimeProvider clock)
{
    private const int TokenBytes = 32;

    public async Task<ReportDraftView?> LoadAsync(string? token, CancellationToken cancellationToken)
    {
        if (HashOf(token) is not { } hash)
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.ReportDrafts.AsNoTracking().FirstOrDefaultAsync(d => d.TokenHash == hash && d.ExpiresAt > now, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var answers = JsonSerializer.Deserialize<SubmitReport>(cipher.Open(row.AnswersEnvelope), ContactDetails.JsonOptions)
            ?? throw new InvalidDataException("A report draft held no answers.");
        return new ReportDraftView(answers, row.ReachedStep, row.SubmittedCaseId);
    }

    /// <summary>
    /// Keeps the answers under the given token, or under a new one when there is none (or it has
    /// expired); returns the token the browser must keep. A new draft also clears expired ones.
    /// </summary>
    public async Task<string> SaveAsync(string? token, SubmitReport answers, int reachedStep, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var envelope = cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(answers, ContactDetails.JsonOptions));
        var expires = now + options.Value.DraftLifetime;
        return await db.InTransactionAsync(async ct =>
        {
            var row = HashOf(token) is { } hash
                ? await db.ReportDrafts.FirstOrDefaultAsync(d => d.TokenHash == hash && d.ExpiresAt > now && d.SubmittedCaseId == null, ct)
                : null;
            if (row is not null && token is not null)
            {
                row.AnswersEnvelope = envelope;
                row.ReachedStep = Math.Max(row.ReachedStep, reachedStep);
                row.UpdatedAt = now;
                row.ExpiresAt = expires;
                await db.SaveChangesAsync(ct);
                return token;
            }

            var fresh = NewToken();
            db.ReportDrafts.Add(new ReportDraft
            {
                TokenHash = HashOf(fresh) ?? throw new InvalidOperationException("A new draft token did not hash."),
                AnswersEnvelope = envelope,
                ReachedStep = reachedStep,
                CreatedAt = now,
                UpdatedAt = now,
                ExpiresAt = expires,
            });
            await db.SaveChangesAsync(ct);
            return fresh;
        }, cancellationToken);
    }

    /// <summary>
    /// The draft became a case. Its answers stay until the receipt has been shown, so a resend
    /// (the answer lost on the way) still gets a key, but no longer than a resend could get one.
    /// </summary>
    public async Task MarkSubmittedAsync(string? token, Guid caseId, CancellationToken cancellationToken)
    {
        if (HashOf(token) is { } hash)
        {
            var until = clock.GetUtcNow().UtcDateTime + options.Value.ReceiptReissueWindow;
            await db.ReportDrafts.Where(d => d.TokenHash == hash)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.SubmittedCaseId, caseId).SetProperty(d => d.ExpiresAt, d => d.ExpiresAt < until ? d.ExpiresAt : until), cancellationToken);
        }
    }

    /// <summary>
    /// Deletes the draft behind the token if it already became a report (the case page closed):
    /// its only use left is a resend, which gets a new key to the case, and the victim has left.
    /// A draft still being filled in stays for them to come back to. True when one was deleted.
    /// </summary>
    public async Task<bool> DiscardSentAsync(string? token, CancellationToken cancellationToken) =>
        HashOf(token) is { } hash
        && await db.ReportDrafts.Where(d => d.TokenHash == hash && d.SubmittedCaseId != null).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>Deletes the draft behind the token, if any (start again, quick exit, receipt shown); true when one was deleted.</summary>
    public async Task<bool> DiscardAsync(string? token, CancellationToken cancellationToken) =>
        HashOf(token) is { } hash
        && await db.ReportDrafts.Where(d => d.TokenHash == hash).ExecuteDeleteAsync(cancellationToken) > 0;

    private static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));

    /// <summary>Null for anything that is not a token this class made (a wrong length, not base64url).</summary>
    private static byte[]? HashOf(string? token)
    {
        if (token is not { Length: > 0 and <= 64 })
        {
            return null;
        }

        Span<byte> raw = stackalloc byte[48];
        if (!Base64Url.IsValid(token) || Base64Url.DecodeFromChars(token, raw) != TokenBytes)
        {
            return null;
        }

        return SHA256.HashData(Encoding.ASCII.GetBytes(token));
    }
}
