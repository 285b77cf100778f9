using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Data;

namespace Portal.Tests.Unit.Evidence.Indicators;

public sealed class ExtractAmountTests
{
    [Theory]
    [InlineData("Pay 0.1 BTC now", "0.1", "BTC")]
    [InlineData("Pay BTC 0.1 now", "0.1", "BTC")]
    [InlineData("Pay 0.1BTC now", "0.1", "BTC")]
    [InlineData("Pay ₿0.1 now", "0.1", "BTC")]
    [InlineData("Maksa 0,5 bitcoinia", "0.5", "BTC")]
    [InlineData("Pay 2 bitcoins", "2", "BTC")]
    [InlineData("Betala 0,25 bitcoin", "0.25", "BTC")]
    [InlineData("0.100 BTC", "0.1", "BTC")]
    [InlineData("1.500 BTC", "1.5", "BTC")]
    [InlineData("€500", "500", "EUR")]
    [InlineData("€ 500.", "500", "EUR")]
    [InlineData("500 €", "500", "EUR")]
    [InlineData("500€", "500", "EUR")]
    [InlineData("500 EUR", "500", "EUR")]
    [InlineData("EUR 500", "500", "EUR")]
    [InlineData("500 euroa", "500", "EUR")]
    [InlineData("500 euros", "500", "EUR")]
    [InlineData("500 euro", "500", "EUR")]
    [InlineData("500 euron böter", "500", "EUR")]
    [InlineData("1.500,50 €", "1500.5", "EUR")]
    [InlineData("1.500 €", "1500", "EUR")]
    [InlineData("2.000.000 euroa", "2000000", "EUR")]
    [InlineData("$1,500.00", "1500", "USD")]
    [InlineData("$1,500", "1500", "USD")]
    [InlineData("US$ 250", "250", "USD")]
    [InlineData("1 500 USD", "1500", "USD")]
    [InlineData("USD 1,500,000", "1500000", "USD")]
    [InlineData("300 dollars", "300", "USD")]
    [InlineData("300 dollaria", "300", "USD")]
    [InlineData("300$", "300", "USD")]
    [InlineData("2,5 €", "2.5", "EUR")]
    [InlineData("0500 EUR", "500", "EUR")]
    public void Extract_NumberWithAdjacentCurrency_IsNormalizedAmount(string text, string expected, string currency)
    {
        var amount = Assert.Single(Extracted.Of(IndicatorKind.Amount, text));

        Assert.Equal(expected, amount.Value);
        Assert.Equal(currency, amount.Detail);
    }

    [Theory]
    [InlineData("1\u202F500 USD", "1500", "USD")] // narrow no-break space grouping
    [InlineData("1\u00A0500\u00A0€", "1500", "EUR")] // no-break spaces
    [InlineData("10\u2009000,50 euroa", "10000.5", "EUR")] // thin space grouping
    [InlineData("0,1\u00A0BTC", "0.1", "BTC")]
    [InlineData("€\u00A0500", "500", "EUR")]
    public void Extract_AmountWithUnicodeSpaces_IsNormalizedAmount(string text, string expected, string currency)
    {
        var amount = Assert.Single(Extracted.Of(IndicatorKind.Amount, text));

        Assert.Equal(expected, amount.Value);
        Assert.Equal(currency, amount.Detail);
    }

    [Theory]
    [InlineData("In 2020 the clinic was breached.")]
    [InlineData("Soita 040 123 4567 klo 12:30.")]
    [InlineData("You have 24 hours.")]
    [InlineData("Version 1.500 of the notes")]
    [InlineData("500 eurooppalaista potilasta")]
    [InlineData("0 EUR")]
    [InlineData("0.5 mBTC")]
    [InlineData("ABC500 EUR")]
    [InlineData("Bitcoin price in 2024")]
    public void Extract_NumberWithoutAdjacentCurrency_IsNoAmount(string text)
    {
        Assert.Empty(Extracted.Of(IndicatorKind.Amount, text));
    }

    [Fact]
    public void Extract_SameAmountInTwoSpellings_IsOneIndicator()
    {
        var text = "0.1 BTC (0,1 bitcoinia, BTC 0.10)";

        Assert.Equal([new Indicator(IndicatorKind.Amount, "0.1", "BTC")], Extracted.Of(IndicatorKind.Amount, text));
    }

    [Fact]
    public void Extract_SameNumberInTwoCurrencies_IsTwoIndicators()
    {
        var text = "500 EUR or 500 USD";

        Assert.Equal(
            [new Indicator(IndicatorKind.Amount, "500", "EUR"), new Indicator(IndicatorKind.Amount, "500", "USD")],
            Extracted.Of(IndicatorKind.Amount, text));
    }

    [Fact]
    public void Extract_AmountsInBothCurrencies_AreInOrderOfAppearance()
    {
        var text = "Pay 0.1 BTC (about €2 500) within 24 hours.";

        Assert.Equal(
            [new Indicator(IndicatorKind.Amount, "0.1", "BTC"), new Indicator(IndicatorKind.Amount, "2500", "EUR")],
            Extracted.Of(IndicatorKind.Amount, text));
    }

    [Theory]
    [InlineData("1,5", "EUR", "1.5")]
    [InlineData("1,500", "EUR", "1500")]
    [InlineData("1,500", "BTC", "1.5")]
    [InlineData("0,500", "EUR", "0.5")]
    [InlineData("1.500.50", "EUR", "1500.5")]
    [InlineData("1 500,000", "EUR", "1500")]
    [InlineData("12.50", "USD", "12.5")]
    public void Normalize_AmbiguousSeparators_AreReadAsDocumented(string number, string currency, string expected)
    {
        Assert.Equal(expected, AmountScanner.Normalize(number, currency));
    }

    [Fact]
    public void Normalize_TwoDecimalMarks_IsRejected()
    {
        Assert.Null(AmountScanner.Normalize("1,500.00.5", "EUR"));
    }
}
