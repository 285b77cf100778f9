using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence.Intake;
using Portal.Core.Features.Guidance;
using Portal.Core.Features.Jobs;
using Portal.Core.Features.Routing;

namespace Portal.Core.Features.Reports;

/// <summary>
/// A victim's answers as the form sends them. Typed-in values stay strings so a bad value can
/// be shown back to the victim with a message, instead of being lost in model binding.
/// </summary>
public sealed record SubmitReport : IPaymentDetails
{
    public string? WhatHappened { get; init; }

    public string? EmailReceivedOn { get; init; }

    public string? SenderAddress { get; init; }

    public string? AmountDemanded { get; init; }

    public string? Currency { get; init; }

    public string? PaymentAddress { get; init; }

    public YesNoUnsure? Paid { get; init; }

    public YesNoUnsure? DataPublished { get; init; }

    public string? BreachOrganisation { get; init; }

    public string? Region { get; init; }

    public bool IsUnder18 { get; init; }

    public RiskAnswer? RiskSelfHarm { get; init; }

    public RiskAnswer? RiskImmediateDanger { get; init; }

    public bool ConsentPolice { get; init; }

    public bool ConsentCounselling { get; init; }

    public ContactPreference? ContactPreference { get; init; }

    public string? ContactEmail { get; init; }

    public string? ContactPhone { get; init; }

    public string? SafeHours { get; init; }

    public string? PreferredLanguage { get; init; }

    public Guid SubmissionId { get; init; }

    internal static bool TryParseAmount(string? text, out decimal amount)
    {
        amount = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        // Victims write "1 500,50" as often as "1500.50": spaces go, a lone comma is a decimal comma.
        var compact = text.Trim().Replace(" ", "", StringComparison.Ordinal).Replace("\u00a0", "", StringComparison.Ordinal);
        if (compact.Contains(',', StringComparison.Ordinal) && !compact.Contains('.', StringComparison.Ordinal))
        {
            compact = compact.Replace(',', '.');
        }

        return decimal.TryParse(compact, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    internal static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The date as typed, when it is one (for showing the answers back).</summary>
    public static DateOnly? ParsedDate(string? text) => TryParseDate(text, out var date) ? date : null;

    /// <summary>A yes to either risk question: crisis help first, an urgent case.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool RiskFlagged => RiskSelfHarm == RiskAnswer.Yes || RiskImmediateDanger == RiskAnswer.Yes;
}

/// <summary>
/// Error codes are resource keys; the web layer turns them into the victim's language.
/// The English message is for logs-free tools such as the CLI.
/// </summary>
public sealed class SubmitReportValidator : AbstractValidator<SubmitReport>
{
    public SubmitReportValidator(IOptions<ReportOptions> options, TimeProvider clock)
    {
        var organisations = options.Value.BreachOrganisations.Select(o => o.Key).Append(ReportOptions.OtherOrganisation).ToHashSet(StringComparer.Ordinal);

        RuleFor(r => r.WhatHappened)
            .NotEmpty().WithErrorCode("Report.WhatHappened.Required").WithMessage("Tell us briefly what happened.")
            .MaximumLength(ReportOptions.MaxNarrativeLength).WithErrorCode("Report.WhatHappened.TooLong").WithMessage("Please shorten the description.");

        RuleFor(r => r.EmailReceivedOn)
            .Cascade(CascadeMode.Stop)
            .Must(v => SubmitReport.TryParseDate(v, out _)).WithErrorCode("Report.EmailReceivedOn.Invalid").WithMessage("Enter the date as year-month-day.")
            .Must(v => SubmitReport.TryParseDate(v, out var d) && d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1)) && d.Year >= 2000)
                .WithErrorCode("Report.EmailReceivedOn.OutOfRange").WithMessage("The date cannot be in the future.")
            .When(r => !string.IsNullOrWhiteSpace(r.EmailReceivedOn));

        Include(new PaymentDetailsValidator());

        RuleFor(r => r.Paid)
            .NotNull().WithErrorCode("Report.Paid.Required").WithMessage("Tell us whether anything was paid.")
            .IsInEnum().WithErrorCode("Report.Paid.Required").WithMessage("Tell us whether anything was paid.");
        RuleFor(r => r.DataPublished)
            .NotNull().WithErrorCode("Report.DataPublished.Required").WithMessage("Tell us whether your data appears to be published.")
            .IsInEnum().WithErrorCode("Report.DataPublished.Required").WithMessage("Tell us whether your data appears to be published.");

        RuleFor(r => r.BreachOrganisation)
            .Must(o => o is not null && organisations.Contains(o)).WithErrorCode("Report.BreachOrganisation.Invalid").WithMessage("Choose an organisation from the list.")
            .When(r => !string.IsNullOrEmpty(r.BreachOrganisation));

        RuleFor(r => r.Region)
            .Must(Regions.IsAnswer).WithErrorCode("Report.Region.Invalid").WithMessage("Choose a region from the list.")
            .When(r => !string.IsNullOrEmpty(r.Region));

        RuleFor(r => r.RiskSelfHarm)
            .NotNull().WithErrorCode("Report.RiskSelfHarm.Required").WithMessage("Please answer this question.")
            .IsInEnum().WithErrorCode("Report.RiskSelfHarm.Required").WithMessage("Please answer this question.");
        RuleFor(r => r.RiskImmediateDanger)
            .NotNull().WithErrorCode("Report.RiskImmediateDanger.Required").WithMessage("Please answer this question.")
            .IsInEnum().WithErrorCode("Report.RiskImmediateDanger.Required").WithMessage("Please answer this question.");

        RuleFor(r => r.ContactPreference)
            .NotNull().WithErrorCode("Report.ContactPreference.Required").WithMessage("Choose how we may contact you.")
            .IsInEnum().WithErrorCode("Report.ContactPreference.Required").WithMessage("Choose how we may contact you.");

        RuleFor(r => r.ContactEmail)
            .NotEmpty().WithErrorCode("Report.ContactEmail.Required").WithMessage("Enter the email address we may use.")
            .When(r => r.ContactPreference == Data.ContactPreference.Email);
        RuleFor(r => r.ContactEmail)
            .MaximumLength(320).WithErrorCode("Report.ContactEmail.Invalid").WithMessage("Enter a valid email address.")
            .Must(PaymentDetailsValidator.BeEmailAddress).WithErrorCode("Report.ContactEmail.Invalid").WithMessage("Enter a valid email address.")
            .When(r => !string.IsNullOrWhiteSpace(r.ContactEmail));

        RuleFor(r => r.ContactPhone)
            .NotEmpty().WithErrorCode("Report.ContactPhone.Required").WithMessage("Enter the phone number we may call.")
            .When(r => r.ContactPreference == Data.ContactPreference.Phone);
        RuleFor(r => r.ContactPhone)
            .Matches(@"^\+?[0-9 ()\-]{6,24}$").WithErrorCode("Report.ContactPhone.Invalid").WithMessage("Enter a phone number with digits only.")
            .When(r => !string.IsNullOrWhiteSpace(r.ContactPhone));

        RuleFor(r => r.SafeHours)
            .MaximumLength(200).WithErrorCode("Report.SafeHours.TooLong").WithMessage("Please shorten the safe hours.");

        RuleFor(r => r.PreferredLanguage)
            .Must(l => l is not null && ReportOptions.Languages.Contains(l)).WithErrorCode("Report.PreferredLanguage.Required").WithMessage("Choose a language.");

        RuleFor(r => r.SubmissionId)
            .NotEmpty().WithErrorCode("Report.Form.Expired").WithMessage("The form has expired. Please check your answers and send again.");
    }
}

public abstract record SubmitReportResult
{
    private SubmitReportResult()
    {
    }

    /// <summary>
    /// The receipt key exists only in this result; the database keeps its keyed hash.
    /// <paramref name="Reissued"/>: the report had already been kept and this key replaces one
    /// the victim may never have seen.
    /// </summary>
    /// <summary>Filed (or a resend given a new key); <paramref name="ForwardingAddress"/> is the case's private address, shown once like the key, null when forwarding is off.</summary>
    public sealed record Submitted(Guid CaseId, string Reference, string ReceiptKey, CasePriority Priority, IReadOnlyList<string> Guidance, bool Reissued = false, int SessionGeneration = 0, string? ForwardingAddress = null) : SubmitReportResult;

    /// <summary>The same form was posted again but no new key may be given (other answers, the key already used, or too late).</summary>
    public sealed record AlreadySubmitted(string Reference) : SubmitReportResult;
}

/// <summary>
/// Files a report: the case, an urgent case's crisis-line referral, the sealed copy of the receipt
/// key its page may be shown again from (docs/decisions/0028) and the audit entry commit in one
/// transaction, and the job engine is nudged to route the referral. A resend of the same
/// form with the same answers, before the key was ever used or a session of the case ended, and
/// within the re-issue window, gets a fresh receipt key (the first answer may never have reached the browser); the keys it
/// replaces keep working until one key is first used, because the resend's answer may be lost
/// too. Nothing else can obtain a key. A report sent from the stepped form's draft marks the
/// draft as sent in the same transaction, so a crash can never leave a filed report whose draft
/// still reads as unsent.
/// </summary>
public sealed class SubmitReportHandler(
    PortalDbContext db,
    EnvelopeCipher cipher,
    ReceiptHasher receipts,
    AuditTrail audit,
    IFollowUpSignal followUp,
    ForwardingAddresses forwarding,
    ReportDrafts drafts,
    IOptions<ReportOptions> options,
    TimeProvider clock)
{
    private const int ReferenceAttempts = 5;

    /// <summary>A report from the one-page form (or any caller without a draft).</summary>
    public Task<SubmitReportResult> HandleAsync(SubmitReport request, CancellationToken cancellationToken) =>
        HandleAsync(request, draftToken: null, cancellationToken);

    /// <summary>A report; <paramref name="draftToken"/> is the browser's token of the draft it was sent from, if any.</summary>
    public async Task<SubmitReportResult> HandleAsync(SubmitReport request, string? draftToken, CancellationToken cancellationToken)
    {
        var digest = receipts.AnswersDigest(JsonSerializer.SerializeToUtf8Bytes(request with { SubmissionId = Guid.Empty }, ContactDetails.JsonOptions));
        var now = clock.GetUtcNow().UtcDateTime;
        var paid = request.Paid ?? YesNoUnsure.Unsure;
        var published = request.DataPublished ?? YesNoUnsure.Unsure;
        var selfHarm = request.RiskSelfHarm == RiskAnswer.Yes;
        var danger = request.RiskImmediateDanger == RiskAnswer.Yes;
        var selfHarmWithheld = request.RiskSelfHarm == RiskAnswer.RatherNotSay;
        var dangerWithheld = request.RiskImmediateDanger == RiskAnswer.RatherNotSay;
        var priority = CasePriorityRules.Compute(selfHarm, danger, request.IsUnder18, paid, published, riskWithheld: selfHarmWithheld || dangerWithheld);
        var contactPreference = request.ContactPreference ?? ContactPreference.PortalOnly;

        // Sealing is the slow part: done before the transaction takes the write lock.
        var entity = new Case
        {
            Id = Guid.CreateVersion7(),
            Reference = CaseReference.New(),
            ReceiptHash = [],
            SubmissionId = request.SubmissionId,
            SubmissionDigest = digest,
            Status = CaseStatus.Received,
            Priority = priority,
            CreatedAt = now,
            UpdatedAt = now,
            Language = request.PreferredLanguage ?? "en",
            NarrativeEnvelope = cipher.SealString(request.WhatHappened?.Trim() ?? ""),
            EmailReceivedOn = SubmitReport.TryParseDate(request.EmailReceivedOn, out var received) ? received : null,
            SenderAddress = NullIfBlank(request.SenderAddress)?.ToLowerInvariant(),
            AmountDemanded = SubmitReport.TryParseAmount(request.AmountDemanded, out var amount) ? amount : null,
            Currency = SubmitReport.TryParseAmount(request.AmountDemanded, out _) ? request.Currency : null,
            PaymentAddress = NullIfBlank(request.PaymentAddress),
            Paid = paid,
            DataPublished = published,
            BreachOrganisation = NullIfBlank(request.BreachOrganisation),
            Region = NullIfBlank(request.Region),
            IsUnder18 = request.IsUnder18,
            RiskSelfHarm = selfHarm,
            RiskImmediateDanger = danger,
            RiskSelfHarmWithheld = selfHarmWithheld,
            RiskImmediateDangerWithheld = dangerWithheld,
            ConsentPolice = request.ConsentPolice,
            ConsentCounselling = request.ConsentCounselling,
            ContactPreference = contactPreference,
            ContactEnvelope = SealContact(request, contactPreference),
        };

        for (var attempt = 1; ; attempt++)
        {
            var receiptKey = ReceiptKey.New();
            entity.ReceiptHash = receipts.Hash(entity.Reference, receiptKey);
            var shown = new ShownReceipt { CaseId = entity.Id, KeyEnvelope = cipher.SealString(receiptKey), ExpiresAt = now + options.Value.ReceiptShownFor };
            try
            {
                // Whether this form was sent before is read before queueing for the write lock: a
                // second post racing this one fails on the unique submission id and is answered on
                // the next attempt, in a transaction of its own, as a resend.
                var sentBefore = await db.Cases.AnyAsync(c => c.SubmissionId == request.SubmissionId, cancellationToken);
                var result = sentBefore
                    ? await ResendInTransactionAsync(request.SubmissionId, digest, draftToken, now, cancellationToken)
                    : await db.InTransactionAsync(async token =>
                    {
                        // Receipt copies that have run out are not shown (ShowReceiptHandler checks the
                        // time) and go with the cleanup job (ForgetExpiredCopiesHandler), not in this lock.
                        db.Cases.Add(entity);
                        db.ShownReceipts.Add(shown);

                        // Self-harm or immediate danger with counselling consent: a crisis line, in the
                        // same transaction as the case, without waiting for triage.
                        if (ReferralRules.NeedsCrisisReferral(entity))
                        {
                            db.Referrals.Add(ReferralRules.Create(entity, PartnerType.Counselling, now));
                        }

                        var forwardingAddress = await forwarding.IssueAsync(db, entity.Id, now, token);
                        shown.ForwardingAddressEnvelope = forwardingAddress is null ? null : cipher.SealString(forwardingAddress);

                        // The append saves the case with its entry (one save for the whole report).
                        await audit.AppendAsync(AuditEvent.Victim(AuditActions.ReportSubmitted, entity.Id, detail: priority.ToString()), token);
                        await drafts.MarkSubmittedAsync(draftToken, entity.Id, token);
                        return new SubmitReportResult.Submitted(entity.Id, entity.Reference, receiptKey, priority, GuidanceRules.Select(GuidanceAnswers.From(entity)), ForwardingAddress: forwardingAddress);
                    }, cancellationToken);

                if (result is null)
                {
                    // The same form with other answers (a page kept open in another tab, edited and
                    // sent): a report of its own, never dropped. Its id comes from the form's and the
                    // answers, so sending that page again is a resend of the new report, not a third.
                    return await HandleAsync(request with { SubmissionId = OtherAnswersId(request.SubmissionId, digest) }, draftToken, cancellationToken);
                }

                CrashPoint.Reach(CrashPoint.ReportCommitted);
                if (result is SubmitReportResult.Submitted { Reissued: false } && ReferralRules.NeedsCrisisReferral(entity))
                {
                    followUp.Notify(FollowUpWork.Routing);
                }

                return result;
            }
            catch (DbUpdateException) when (attempt < ReferenceAttempts)
            {
                // Another post of the same form won the race (the next attempt finds it and
                // answers as a resend), or a reference collided (about one in a trillion).
                entity.Reference = CaseReference.New();
            }
        }
    }

    /// <summary>The submission id of a report sent from a form that was already sent with other answers.</summary>
    private static Guid OtherAnswersId(Guid formId, byte[] digest)
    {
        Span<byte> seed = stackalloc byte[16 + 32];
        formId.TryWriteBytes(seed);
        digest.AsSpan(0, Math.Min(digest.Length, 32)).CopyTo(seed[16..]);
        return new Guid(SHA256.HashData(seed)[..16]);
    }

    /// <summary>A resend of a filed report: a new key, "already sent", or null when the answers are not the ones filed.</summary>
    private Task<SubmitReportResult?> ResendInTransactionAsync(Guid submissionId, byte[] digest, string? draftToken, DateTime now, CancellationToken cancellationToken)
    {
        var resendKey = ReceiptKey.New();
        var resendEnvelope = cipher.SealString(resendKey);
        return db.InTransactionAsync<SubmitReportResult?>(async token =>
        {
            var existing = await db.Cases.Where(c => c.SubmissionId == submissionId).SingleAsync(token);
            if (existing.SubmissionDigest is { } stored && !CryptographicOperations.FixedTimeEquals(stored, digest))
            {
                return null;
            }

            var resent = await ResendAsync(existing, resendKey, resendEnvelope, now, token);
            if (resent is SubmitReportResult.Submitted)
            {
                await drafts.MarkSubmittedAsync(draftToken, existing.Id, token);
            }

            return resent;
        }, cancellationToken);
    }

    private async Task<SubmitReportResult> ResendAsync(Case existing, string receiptKey, byte[] keyEnvelope, DateTime now, CancellationToken cancellationToken)
    {
        // A report filed before answers were remembered cannot be told from its resend: no key.
        // Nor once a session of the case has been ended (closed, quick exit, a key by email): the
        // session came in the answer that carried the key, so that answer arrived, and a resend
        // now is someone at the same browser going Back after the victim left (a shared computer).
        var reissuable = existing.SubmissionDigest is not null
            && existing.ReceiptFirstUsedAt is null
            && existing.SessionGeneration == 0
            && now - existing.CreatedAt <= options.Value.ReceiptReissueWindow
            && existing.Status != CaseStatus.Closed;
        if (!reissuable)
        {
            return new SubmitReportResult.AlreadySubmitted(existing.Reference);
        }

        // The key replaced may be the one the victim holds (this answer may be lost in its turn):
        // it keeps working beside the new one until either is first used.
        existing.EarlierReceiptHashes = ReceiptHasher.KeepEarlier(existing.EarlierReceiptHashes, existing.ReceiptHash);
        existing.ReceiptHash = receipts.Hash(existing.Reference, receiptKey);

        // The first answer, with its forwarding address, may never have reached the browser either.
        var forwardingAddress = await forwarding.IssueAsync(db, existing.Id, now, cancellationToken);
        var addressEnvelope = forwardingAddress is null ? null : cipher.SealString(forwardingAddress);
        var shown = await db.ShownReceipts.FirstOrDefaultAsync(r => r.CaseId == existing.Id, cancellationToken);
        if (shown is null)
        {
            db.ShownReceipts.Add(new ShownReceipt { CaseId = existing.Id, KeyEnvelope = keyEnvelope, Reissued = true, ExpiresAt = now + options.Value.ReceiptShownFor, ForwardingAddressEnvelope = addressEnvelope });
        }
        else
        {
            (shown.KeyEnvelope, shown.Reissued, shown.ExpiresAt, shown.ForwardingAddressEnvelope) = (keyEnvelope, true, now + options.Value.ReceiptShownFor, addressEnvelope);
        }

        await audit.AppendAsync(AuditEvent.Victim(AuditActions.ReceiptReissued, existing.Id), cancellationToken);
        return new SubmitReportResult.Submitted(existing.Id, existing.Reference, receiptKey, existing.Priority, GuidanceRules.Select(GuidanceAnswers.From(existing)), Reissued: true, existing.SessionGeneration, forwardingAddress);
    }

    private byte[]? SealContact(SubmitReport request, ContactPreference preference)
    {
        var details = new ContactDetails(
            preference == ContactPreference.Email ? NullIfBlank(request.ContactEmail) : null,
            preference == ContactPreference.Phone ? NullIfBlank(request.ContactPhone) : null,
            preference == ContactPreference.Phone ? NullIfBlank(request.SafeHours) : null);
        return details.IsEmpty ? null : cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(details, ContactDetails.JsonOptions));
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>How a victim may be contacted; only ever stored sealed.</summary>
public sealed record ContactDetails(string? Email, string? Phone, string? SafeHours)
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public bool IsEmpty => Email is null && Phone is null && SafeHours is null;

    public static ContactDetails? Open(EnvelopeCipher cipher, byte[]? envelope) =>
        envelope is null ? null : JsonSerializer.Deserialize<ContactDetails>(cipher.Open(envelope), JsonOptions);
}
