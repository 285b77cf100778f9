using FluentValidation;
using Portal.Core.Email;

namespace Portal.Core.Features.Reports;

/// <summary>What the extortionist demanded and from where: asked on the report form, and offered again pre-filled from an uploaded email.</summary>
public interface IPaymentDetails
{
    string? SenderAddress { get; }

    string? AmountDemanded { get; }

    string? Currency { get; }

    string? PaymentAddress { get; }
}

/// <summary>The rules for <see cref="IPaymentDetails"/>, shared by the report form and the confirmation of details found in evidence.</summary>
public sealed class PaymentDetailsValidator : AbstractValidator<IPaymentDetails>
{
    public PaymentDetailsValidator()
    {
        RuleFor(r => r.SenderAddress)
            .MaximumLength(320).WithErrorCode("Report.SenderAddress.Invalid").WithMessage("Enter a valid email address.")
            .Must(BeEmailAddress).WithErrorCode("Report.SenderAddress.Invalid").WithMessage("Enter a valid email address.")
            .When(r => !string.IsNullOrWhiteSpace(r.SenderAddress));

        RuleFor(r => r.AmountDemanded)
            .Must(v => SubmitReport.TryParseAmount(v, out var a) && a >= 0 && a < 1_000_000_000m)
            .WithErrorCode("Report.AmountDemanded.Invalid").WithMessage("Enter the amount as a number.")
            .When(r => !string.IsNullOrWhiteSpace(r.AmountDemanded));

        RuleFor(r => r.Currency)
            .NotEmpty().WithErrorCode("Report.Currency.Required").WithMessage("Choose the currency of the amount.")
            .When(r => !string.IsNullOrWhiteSpace(r.AmountDemanded));
        RuleFor(r => r.Currency)
            .Must(c => ReportOptions.Currencies.Contains(c)).WithErrorCode("Report.Currency.Invalid").WithMessage("Choose a currency from the list.")
            .When(r => !string.IsNullOrWhiteSpace(r.Currency));

        // Checked as stored: without the spaces a paste carries around it, which the victim cannot see.
        RuleFor(r => r.PaymentAddress!.Trim())
            .MaximumLength(128).WithErrorCode("Report.PaymentAddress.Invalid").WithMessage("The payment address looks wrong.")
            .Matches("^[A-Za-z0-9]+$").WithErrorCode("Report.PaymentAddress.Invalid").WithMessage("The payment address looks wrong.")
            .OverridePropertyName(nameof(IPaymentDetails.PaymentAddress))
            .When(r => !string.IsNullOrWhiteSpace(r.PaymentAddress));
    }

    /// <summary>One bare address (surrounding spaces allowed) whose domain has a dot: "Name &lt;a@b.fi&gt;", "a@localhost" and the like are refused.</summary>
    internal static bool BeEmailAddress(string? value) =>
        PlainEmailAddress.Parse(value?.Trim()) is { } address
        && address.Domain.Contains('.', StringComparison.Ordinal);
}
