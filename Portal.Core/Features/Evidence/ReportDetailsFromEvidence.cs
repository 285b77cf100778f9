using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Evidence;

/// <summary>Details read from the victim's latest email, offered for them to confirm; null fields were not found.</summary>
public sealed record ReportDetailsSuggestion(Guid EvidenceId, string? SenderAddress, string? PaymentAddress, string? AmountDemanded, string? Currency);

/// <summary>
/// After an email is uploaded, the report's sender, payment address and amount are offered
/// pre-filled from what the reader found, but only where they add something to the report.
/// </summary>
public sealed class SuggestReportDetailsHandler(PortalDbContext db, EnvelopeCipher cipher, SealedIndicators sealing)
{
    public async Task<ReportDetailsSuggestion?> HandleAsync(Guid caseId, CancellationToken cancellationToken)
    {
        var latest = await db.EvidenceFiles.AsNoTracking()
            .Where(e => e.CaseId == caseId && (e.Kind == EvidenceKind.Email || e.Kind == EvidenceKind.OutlookMessage) && e.ParsedEnvelope != null)
            .OrderByDescending(e => e.ReceivedAt).ThenByDescending(e => e.Id)
            .Select(e => new { e.Id, e.ParsedEnvelope })
            .FirstOrDefaultAsync(cancellationToken);
        var current = await db.Cases.AsNoTracking()
            .Where(c => c.Id == caseId)
            .Select(c => new { c.SenderAddress, c.PaymentAddress, c.AmountDemanded, c.Currency, c.DetailsAnsweredFor })
            .FirstOrDefaultAsync(cancellationToken);
        if (latest is null || current is null || current.DetailsAnsweredFor == latest.Id)
        {
            // Answered once (perhaps corrected): offering the email's reading again would undo the correction.
            return null;
        }

        var summary = EmailSummary.Open(cipher, latest.ParsedEnvelope);
        var indicators = await sealing.OfFileAsync(db, latest.Id, [IndicatorKind.BitcoinAddress, IndicatorKind.Amount], cancellationToken);

        var sender = (summary?.From?.Address ?? (summary?.ReplyTo is [var replyTo, ..] ? replyTo.Address : null))?.ToLowerInvariant();
        var payment = indicators.FirstOrDefault(i => i.Kind == IndicatorKind.BitcoinAddress)?.Value;
        var amount = indicators.FirstOrDefault(i => i.Kind == IndicatorKind.Amount && ReportOptions.Currencies.Contains(i.Detail));

        var amountChanged = amount is not null
            && (current.Currency != amount.Detail
                || !decimal.TryParse(amount.Value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var found)
                || current.AmountDemanded != found);
        var anythingNew = (sender is not null && sender != current.SenderAddress)
            || (payment is not null && payment != current.PaymentAddress)
            || amountChanged;

        // Everything found is shown, so the victim confirms one consistent set; nothing new, nothing to ask.
        return anythingNew ? new ReportDetailsSuggestion(latest.Id, sender, payment, amount?.Value, amount?.Detail) : null;
    }
}

/// <summary>The details the victim confirmed (and may have corrected) from the suggestion.</summary>
public sealed record ConfirmReportDetails : IPaymentDetails
{
    /// <summary>The email the details were offered from.</summary>
    public Guid? EvidenceId { get; init; }

    public string? SenderAddress { get; init; }

    public string? AmountDemanded { get; init; }

    public string? Currency { get; init; }

    public string? PaymentAddress { get; init; }
}

public sealed class ConfirmReportDetailsValidator : AbstractValidator<ConfirmReportDetails>
{
    public ConfirmReportDetailsValidator() => Include(new PaymentDetailsValidator());
}

/// <summary>
/// Writes confirmed details into the report; a field left empty keeps what the report already says.
/// The change and its audit entry (which fields changed, never their values) commit together; a
/// confirmation that changes nothing (the same form sent again) records nothing.
/// </summary>
public sealed class ConfirmReportDetailsHandler(PortalDbContext db, AuditTrail audit, TimeProvider clock)
{
    /// <summary>The report's details a confirmation can change, by the name the audit entry gives them.</summary>
    private static readonly (string Name, string[] Properties)[] ChangedDetails =
    [
        ("sender", [nameof(Case.SenderAddress)]),
        ("payment-address", [nameof(Case.PaymentAddress)]),
        ("amount", [nameof(Case.AmountDemanded), nameof(Case.Currency)]),
    ];

    public Task<bool> HandleAsync(Guid caseId, ConfirmReportDetails request, CancellationToken cancellationToken) =>
        db.InTransactionAsync(token => ConfirmAsync(caseId, request, token), cancellationToken);

    private async Task<bool> ConfirmAsync(Guid caseId, ConfirmReportDetails request, CancellationToken cancellationToken)
    {
        var entity = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (entity is null)
        {
            return false;
        }

        if (!string.IsNullOrWhiteSpace(request.SenderAddress))
        {
            entity.SenderAddress = request.SenderAddress.Trim().ToLowerInvariant();
        }

        if (!string.IsNullOrWhiteSpace(request.PaymentAddress))
        {
            entity.PaymentAddress = request.PaymentAddress.Trim();
        }

        if (SubmitReport.TryParseAmount(request.AmountDemanded, out var amount))
        {
            entity.AmountDemanded = amount;
            entity.Currency = request.Currency;
        }

        Guid? answeredFor = request.EvidenceId is { } offeredFrom
            && await db.EvidenceFiles.AnyAsync(e => e.Id == offeredFrom && e.CaseId == caseId, cancellationToken)
                ? offeredFrom
                : null;
        if (answeredFor is not null)
        {
            entity.DetailsAnsweredFor = answeredFor;
        }

        var tracked = db.Entry(entity);
        var changed = ChangedDetails.Where(d => d.Properties.Any(p => tracked.Property(p).IsModified)).Select(d => d.Name).ToList();
        if (changed.Count == 0 && !tracked.Property(nameof(Case.DetailsAnsweredFor)).IsModified)
        {
            return true;
        }

        entity.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(
            AuditEvent.Victim(AuditActions.ReportDetailsConfirmed, caseId, answeredFor?.ToString(), changed.Count == 0 ? "none" : string.Join(',', changed)),
            cancellationToken);
        return true;
    }
}
