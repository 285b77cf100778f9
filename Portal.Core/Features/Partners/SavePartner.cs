using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Partners;

/// <summary>A partner as the admin form sends it; the capacity stays text so a bad value can be shown back.</summary>
public sealed record SavePartner
{
    public string? Name { get; init; }

    public PartnerType? Type { get; init; }

    public bool IsCrisisLine { get; init; }

    /// <summary>Serves every region; the list of regions is then ignored.</summary>
    public bool AllRegions { get; init; }

    public List<string> Regions { get; init; } = [];

    public List<string> Languages { get; init; } = [];

    public string? DailyCapacity { get; init; }

    public string? ContactEmail { get; init; }

    public bool Active { get; init; }

    public static SavePartner From(Partner partner) => new()
    {
        Name = partner.Name,
        Type = partner.Type,
        IsCrisisLine = partner.IsCrisisLine,
        AllRegions = partner.ServesAllRegions,
        Regions = [.. partner.Regions],
        Languages = [.. partner.Languages],
        DailyCapacity = partner.DailyCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ContactEmail = partner.ContactEmail,
        Active = partner.Active,
    };

    internal int Capacity => int.TryParse(DailyCapacity?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1;
}

/// <summary>Error codes are resource keys, shown in the admin's language.</summary>
public sealed class SavePartnerValidator : AbstractValidator<SavePartner>
{
    public const int MaxCapacity = 10_000;

    public SavePartnerValidator()
    {
        RuleFor(p => p.Name)
            .NotEmpty().WithErrorCode("Partner.Name.Required").WithMessage("Enter the organisation's name.")
            .MaximumLength(200).WithErrorCode("Partner.Name.TooLong").WithMessage("Please shorten the name.")
            .Must(DisplayText.AllShown).WithErrorCode("Partner.Name.Invisible").WithMessage("Names cannot contain invisible or text-direction characters.");
        RuleFor(p => p.Type)
            .NotNull().WithErrorCode("Partner.Type.Required").WithMessage("Choose police or counselling.")
            .IsInEnum().WithErrorCode("Partner.Type.Required").WithMessage("Choose police or counselling.");
        RuleFor(p => p.IsCrisisLine)
            .Equal(false).WithErrorCode("Partner.CrisisLine.CounsellingOnly").WithMessage("Only a counselling partner can be a crisis line.")
            .When(p => p.Type == PartnerType.Police);
        RuleFor(p => p.Regions)
            .NotEmpty().WithErrorCode("Partner.Regions.Required").WithMessage("Choose the regions served, or every region.")
            .When(p => !p.AllRegions);
        RuleFor(p => p.Regions)
            .Must(regions => regions.All(Regions.IsFinnish)).WithErrorCode("Partner.Regions.Invalid").WithMessage("Choose regions from the list.");
        RuleFor(p => p.Languages)
            .NotEmpty().WithErrorCode("Partner.Languages.Required").WithMessage("Choose at least one language.")
            .Must(languages => languages.All(ReportOptions.Languages.Contains)).WithErrorCode("Partner.Languages.Required").WithMessage("Choose at least one language.");
        RuleFor(p => p.DailyCapacity)
            .Must((p, _) => p.Capacity is >= 1 and <= MaxCapacity).WithErrorCode("Partner.DailyCapacity.Invalid").WithMessage("Enter a whole number from 1 to 10000.");
        RuleFor(p => p.ContactEmail)
            .NotEmpty().WithErrorCode("Partner.ContactEmail.Required").WithMessage("Enter the organisation's email address.")
            .MaximumLength(320).WithErrorCode("Partner.ContactEmail.Invalid").WithMessage("Enter a valid email address.")
            .Must(PaymentDetailsValidator.BeEmailAddress).WithErrorCode("Partner.ContactEmail.Invalid").WithMessage("Enter a valid email address.");
    }
}

public enum SavePartnerOutcome
{
    Saved,
    NotFound,

    /// <summary>Another partner has this name.</summary>
    NameTaken,
}

public sealed record SavePartnerResult(SavePartnerOutcome Outcome, long PartnerId = 0);

/// <summary>
/// Creates a partner (no id) or updates one. Deactivating stops new referrals; what the partner
/// holds stays. The change and its audit entry, which keeps the routing rules, commit together.
/// </summary>
public sealed class SavePartnerHandler(PortalDbContext db, AuditTrail audit, TimeProvider clock)
{
    public Task<SavePartnerResult> HandleAsync(long? partnerId, SavePartner request, Actor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            var result = await SaveAsync(partnerId, request, token);
            if (result.Outcome == SavePartnerOutcome.Saved)
            {
                var action = partnerId is null ? AuditActions.PartnerCreated : AuditActions.PartnerUpdated;
                await audit.AppendAsync(actor.Event(action, subject: Subject(result.PartnerId), detail: Describe(request)), token);
            }

            return result;
        }, cancellationToken);

    /// <summary>How the audit trail names a partner.</summary>
    public static string Subject(long partnerId) => "partner " + partnerId.ToString(CultureInfo.InvariantCulture);

    /// <summary>What the audit keeps of a change: the routing rules, not just "edited".</summary>
    private static string Describe(SavePartner form) =>
        $"{form.Type} active={form.Active} crisis={form.IsCrisisLine} capacity={form.DailyCapacity} regions={(form.AllRegions ? "all" : string.Join(',', form.Regions))} languages={string.Join(',', form.Languages)}";

    private async Task<SavePartnerResult> SaveAsync(long? partnerId, SavePartner request, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim() ?? "";
        if (await db.Partners.AnyAsync(p => p.Name == name && p.Id != (partnerId ?? 0), cancellationToken))
        {
            return new SavePartnerResult(SavePartnerOutcome.NameTaken);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        Partner? partner;
        if (partnerId is { } id)
        {
            partner = await db.Partners.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
            if (partner is null)
            {
                return new SavePartnerResult(SavePartnerOutcome.NotFound);
            }
        }
        else
        {
            partner = new Partner { Name = name, ContactEmail = "", CreatedAt = now };
            db.Partners.Add(partner);
        }

        partner.Name = name;
        partner.Type = request.Type ?? PartnerType.Counselling;
        partner.IsCrisisLine = partner.Type == PartnerType.Counselling && request.IsCrisisLine;
        partner.Regions = request.AllRegions ? [] : [.. Regions.Finnish.Where(request.Regions.Contains)];
        partner.Languages = [.. ReportOptions.Languages.Where(request.Languages.Contains)];
        partner.DailyCapacity = request.Capacity;
        partner.ContactEmail = request.ContactEmail?.Trim() ?? "";
        partner.Active = request.Active;
        partner.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return new SavePartnerResult(SavePartnerOutcome.Saved, partner.Id);
    }
}
