using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Reports;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Reports;

public sealed class SubmitReportValidatorTests
{
    private readonly SubmitReportValidator validator = new(
        Options.Create(new ReportOptions { BreachOrganisations = [new BreachOrganisation { Key = "vastaamo", Name = "Vastaamo" }] }),
        new TestClock());

    private static SubmitReport Valid() => new()
    {
        WhatHappened = "I got an email demanding bitcoin.",
        EmailReceivedOn = "2026-11-20",
        SenderAddress = "ransom@example.org",
        AmountDemanded = "1 500,50",
        Currency = "EUR",
        PaymentAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        Paid = YesNoUnsure.No,
        DataPublished = YesNoUnsure.Unsure,
        BreachOrganisation = "vastaamo",
        RiskSelfHarm = RiskAnswer.No,
        RiskImmediateDanger = RiskAnswer.No,
        ContactPreference = ContactPreference.PortalOnly,
        PreferredLanguage = "fi",
        SubmissionId = Guid.NewGuid(),
    };

    [Fact]
    public void Validate_CompleteAnswers_Pass()
    {
        var result = validator.Validate(Valid());

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.ErrorCode)));
    }

    public static TheoryData<string, Func<SubmitReport, SubmitReport>> Invalid => new()
    {
        { "Report.WhatHappened.Required", r => r with { WhatHappened = "  " } },
        { "Report.WhatHappened.TooLong", r => r with { WhatHappened = new string('x', ReportOptions.MaxNarrativeLength + 1) } },
        { "Report.EmailReceivedOn.Invalid", r => r with { EmailReceivedOn = "20.11.2026" } },
        { "Report.EmailReceivedOn.OutOfRange", r => r with { EmailReceivedOn = "2027-01-01" } },
        { "Report.SenderAddress.Invalid", r => r with { SenderAddress = "not-an-address" } },
        { "Report.AmountDemanded.Invalid", r => r with { AmountDemanded = "a lot" } },
        { "Report.AmountDemanded.Invalid", r => r with { AmountDemanded = "-5" } },
        { "Report.Currency.Required", r => r with { Currency = null } },
        { "Report.Currency.Invalid", r => r with { Currency = "DOGE" } },
        { "Report.PaymentAddress.Invalid", r => r with { PaymentAddress = "bc1q<script>" } },
        { "Report.Paid.Required", r => r with { Paid = null } },
        { "Report.Paid.Required", r => r with { Paid = (YesNoUnsure)42 } },
        { "Report.DataPublished.Required", r => r with { DataPublished = null } },
        { "Report.BreachOrganisation.Invalid", r => r with { BreachOrganisation = "someone-else" } },
        { "Report.RiskSelfHarm.Required", r => r with { RiskSelfHarm = null } },
        { "Report.RiskImmediateDanger.Required", r => r with { RiskImmediateDanger = null } },
        { "Report.ContactPreference.Required", r => r with { ContactPreference = null } },
        { "Report.ContactEmail.Required", r => r with { ContactPreference = ContactPreference.Email } },
        { "Report.ContactEmail.Invalid", r => r with { ContactPreference = ContactPreference.Email, ContactEmail = "me at home" } },
        { "Report.ContactPhone.Required", r => r with { ContactPreference = ContactPreference.Phone } },
        { "Report.ContactPhone.Invalid", r => r with { ContactPreference = ContactPreference.Phone, ContactPhone = "call me" } },
        { "Report.SafeHours.TooLong", r => r with { SafeHours = new string('x', 201) } },
        { "Report.PreferredLanguage.Required", r => r with { PreferredLanguage = "de" } },
        { "Report.Form.Expired", r => r with { SubmissionId = Guid.Empty } },
    };

    [Theory]
    [InlineData("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq ")]
    [InlineData("  bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")]
    [InlineData("\tbc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\n")]
    public void PaymentAddress_PastedWithSpacesAround_IsAccepted(string address)
    {
        var result = validator.Validate(Valid() with { PaymentAddress = address });

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.ErrorCode)));
    }

    [Theory]
    [InlineData("ransom@example.org")]
    [InlineData("  ransom@example.org  ")]
    [InlineData("first+tag@sub.example.fi")]
    [InlineData("matti.meikäläinen@example.fi")]
    [InlineData("o'brien@example.org")]
    [InlineData("ransom@bücher.de")]
    [InlineData("ransom@xn--bcher-kva.de")]
    [InlineData("ransom@mail.XN--BCHER-KVA.de")]
    public void SenderAddress_OneBareAddress_IsAccepted(string address)
    {
        var result = validator.Validate(Valid() with { SenderAddress = address });

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.ErrorCode)));
    }

    [Theory]
    [InlineData("Ransom <ransom@example.org>")]
    [InlineData("=?utf-8?q?Ransom?= <ransom@example.org>")]
    [InlineData("<ransom@example.org>")]
    [InlineData("ransom@example.org (the boss)")]
    [InlineData("<@relay.example.org:ransom@example.org>")]
    [InlineData("ransom@example.org, other@example.org")]
    [InlineData("group: ransom@example.org;")]
    [InlineData("ransom@")]
    [InlineData("@example.org")]
    [InlineData("ransom@localhost")]
    [InlineData("ransom.@example.org")]
    [InlineData("ransom@example.org.")]
    [InlineData("ransom\r\n @example.org")]
    public void SenderAddress_AnythingButOneBareAddress_IsRefused(string address)
    {
        var result = validator.Validate(Valid() with { SenderAddress = address });

        Assert.Equal(["Report.SenderAddress.Invalid"], result.Errors.Select(e => e.ErrorCode));
    }

    [Theory]
    [InlineData("Me <me@example.fi>")]
    [InlineData("me@example.fi.")]
    [InlineData("me.@example.fi")]
    [InlineData("me@")]
    public void ContactEmail_AnythingButOneBareAddress_IsRefused(string address)
    {
        var result = validator.Validate(Valid() with { ContactPreference = ContactPreference.Email, ContactEmail = address });

        Assert.Equal(["Report.ContactEmail.Invalid"], result.Errors.Select(e => e.ErrorCode));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_BadAnswer_GivesItsErrorAtItsField(string expectedCode, Func<SubmitReport, SubmitReport> change)
    {
        var result = validator.Validate(change(Valid()));

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal(expectedCode, error.ErrorCode);
        Assert.StartsWith(error.PropertyName, expectedCode.Replace("Report.", "", StringComparison.Ordinal).Replace("Form.Expired", "SubmissionId", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1500", 1500)]
    [InlineData("1 500,50", 1500.50)]
    [InlineData("0.25", 0.25)]
    [InlineData("0,0001", 0.0001)]
    public void Amount_IsReadTheWayVictimsWriteIt(string typed, double expected)
    {
        Assert.True(SubmitReport.TryParseAmount(typed, out var amount));
        Assert.Equal((decimal)expected, amount);
    }
}
