using Portal.Core.Data;
using Portal.Core.Features.CaseFile;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.CaseFile;

public sealed class DiaryEntryFormTests
{
    private static readonly DiaryEntryFormValidator Validator = new(new TestClock());

    private static DiaryEntryForm Valid() => new() { OccurredOn = "2026-11-20", Kind = DiaryEntryKind.Cost, Text = "Taxi to the police station", Amount = "" };

    [Theory]
    [InlineData("1 500,50", 1500.50)]
    [InlineData("1500.50", 1500.50)]
    [InlineData("45,5 €", 45.5)]
    [InlineData("0", 0)]
    public void Amount_AsVictimsWriteIt_IsAccepted(string amount, double expected)
    {
        Assert.True(Validator.Validate(Valid() with { Amount = amount }).IsValid);
        Assert.True(DiaryEntryForm.TryParseAmount(amount, out var parsed));
        Assert.Equal((decimal)expected, parsed);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("lots")]
    [InlineData("1,000.000,5")]
    [InlineData("99999999999")]
    public void Amount_ThatIsNotAnAmountInEuros_IsRefusedWithItsCode(string amount)
    {
        var result = Validator.Validate(Valid() with { Amount = amount });

        Assert.Equal(["Diary.Amount.Invalid"], result.Errors.Select(e => e.ErrorCode));
    }

    [Theory]
    [InlineData("", "Diary.OccurredOn.Required")]
    [InlineData("20.11.2026", "Diary.OccurredOn.Invalid")]
    [InlineData("2026-11-30", "Diary.OccurredOn.OutOfRange")]
    [InlineData("1999-12-31", "Diary.OccurredOn.OutOfRange")]
    public void Date_ThatIsMissingMalformedOrOutOfRange_IsRefused(string date, string code)
    {
        var result = Validator.Validate(Valid() with { OccurredOn = date });

        Assert.Equal([code], result.Errors.Select(e => e.ErrorCode));
    }

    [Fact]
    public void Entry_WithoutKindOrText_OrTooLong_IsRefused()
    {
        Assert.Equal(["Diary.Kind.Required", "Diary.Text.Required"], Validator.Validate(Valid() with { Kind = null, Text = " " }).Errors.Select(e => e.ErrorCode));
        Assert.Equal(["Diary.Text.TooLong"], Validator.Validate(Valid() with { Text = new string('x', DiaryEntryForm.MaxTextLength + 1) }).Errors.Select(e => e.ErrorCode));
        Assert.Equal(["Diary.Kind.Required"], Validator.Validate(Valid() with { Kind = (DiaryEntryKind)99 }).Errors.Select(e => e.ErrorCode));
    }

    [Theory]
    [InlineData("14,2", new[] { 14, 2 })]
    [InlineData(" 2, 14 ,14", new[] { 14, 2 })]
    [InlineData("7", new[] { 7 })]
    public void ReminderStages_AreReadLargestFirst_WithoutRepeats(string setting, int[] expected)
    {
        Assert.Equal(expected, new CaseFileOptions { ReminderDaysBefore = setting }.ReminderStages());
    }

    [Fact]
    public void Today_IsTheDateInHelsinki_NotInUtc()
    {
        // 22:30 UTC on 28 February is already 1 March in Helsinki (UTC+2 in winter).
        var clock = new TestClock(new DateTimeOffset(2027, 2, 28, 22, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2027, 3, 1), new CaseFileOptions().Today(clock));
    }
}
