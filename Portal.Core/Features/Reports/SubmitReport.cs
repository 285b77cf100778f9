using System.Globalization;
using System.Text.Json;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Guidance;
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

    public bool? RiskSelfHarm { get; init; }

    public bool? RiskImmediateDanger { get; init; }

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
            .NotNull().WithErrorCode("Report.RiskSelfHarm.Required").WithMessage("Please answer this question.");
        RuleFor(r => r.RiskImmediateDanger)
            .NotNull().WithErrorCode("Report.RiskImmediateDanger.Required").WithMessage("Please answer this question.");

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
    /// The receipt key exists only in this result; the database keeps its keyed hash. The
    /// referrals (a crisis line for an urgent case) are scheduled once the submission committed.
    /// </summary>
    public sealed record Submitted(Guid CaseId, string Reference, string ReceiptKey, CasePriority Priority, IReadOnlyList<string> Guidance, IReadOnlyList<long> ReferralIds) : SubmitReportResult;

    /// <summary>The same form was posted again (refresh, double click): nothing new was stored.</summary>
    public sealed record AlreadySubmitted(string Reference) : SubmitReportResult;
}

public sealed class SubmitReportHandler(PortalDbContext db, EnvelopeCipher cipher, ReceiptHasher receipts, TimeProvider clock)
{
    private const int ReferenceAttempts = 5;

    public async Task<SubmitReportResult> HandleAsync(SubmitReport request, CancellationToken cancellationToken)
    {
        var existing = await db.Cases.AsNoTracking()
            .Where(c => c.SubmissionId == request.SubmissionId)
            .Select(c => c.Reference)
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return new SubmitReportResult.AlreadySubmitted(existing);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var paid = request.Paid ?? YesNoUnsure.Unsure;
        var published = request.DataPublished ?? YesNoUnsure.Unsure;
        var selfHarm = request.RiskSelfHarm ?? false;
        var danger = request.RiskImmediateDanger ?? false;
        var priority = CasePriorityRules.Compute(selfHarm, danger, request.IsUnder18, paid, published);
        var contactPreference = request.ContactPreference ?? ContactPreference.PortalOnly;
        var receiptKey = ReceiptKey.New();

        var entity = new Case
        {
            Id = Guid.CreateVersion7(),
            Reference = CaseReference.New(),
            ReceiptHash = [],
            SubmissionId = request.SubmissionId,
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
            ConsentPolice = request.ConsentPolice,
            ConsentCounselling = request.ConsentCounselling,
            ContactPreference = contactPreference,
            ContactEnvelope = SealContact(request, contactPreference),
        };

        // Self-harm or immediate danger with counselling consent: a crisis line, in the same
        // transaction as the case, without waiting for triage.
        var crisis = ReferralRules.NeedsCrisisReferral(entity) ? ReferralRules.Create(entity, PartnerType.Counselling, now) : null;

        for (var attempt = 1; ; attempt++)
        {
            entity.ReceiptHash = receipts.Hash(entity.Reference, receiptKey);
            db.Cases.Add(entity);
            if (crisis is not null)
            {
                db.Referrals.Add(crisis);
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                break;
            }
            catch (DbUpdateException) when (attempt < ReferenceAttempts)
            {
                db.Entry(entity).State = EntityState.Detached;
                if (crisis is not null)
                {
                    db.Entry(crisis).State = EntityState.Detached;
                }

                var duplicate = await db.Cases.AsNoTracking()
                    .Where(c => c.SubmissionId == request.SubmissionId)
                    .Select(c => c.Reference)
                    .FirstOrDefaultAsync(cancellationToken);
                if (duplicate is not null)
                {
                    return new SubmitReportResult.AlreadySubmitted(duplicate);
                }

                // A reference collision (about one in a trillion): draw another.
                entity.Reference = CaseReference.New();
            }
        }

        var guidance = GuidanceRules.Select(GuidanceAnswers.From(entity));
        return new SubmitReportResult.Submitted(entity.Id, entity.Reference, receiptKey, priority, guidance, crisis is null ? [] : [crisis.Id]);
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
