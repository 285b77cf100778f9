using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class DateParserTests
{
    [Theory]
    [InlineData("Mon, 26 Oct 2020 09:13:57 +0200", "2020-10-26T09:13:57+02:00")]
    [InlineData("26 Oct 2020 09:13:57 +0200", "2020-10-26T09:13:57+02:00")]
    [InlineData("Mon, 26 Oct 2020 07:13:57 +0000 (UTC)", "2020-10-26T07:13:57+00:00")]
    [InlineData("Mon,26 Oct 2020 07:13 -0000", "2020-10-26T07:13:00+00:00")]
    [InlineData("Tue, 27 Oct 20 10:00:00 EST", "2020-10-27T10:00:00-05:00")]
    [InlineData("Fri, 13 Mar 98 23:59:59 PDT", "1998-03-13T23:59:59-07:00")]
    [InlineData("1 Jan 049 00:00:00 GMT", "1949-01-01T00:00:00+00:00")]
    [InlineData("Sun, 1 Nov 2020 12:00:00 UT", "2020-11-01T12:00:00+00:00")]
    [InlineData("Sun, 1 Nov 2020 12:00:00 CDT", "2020-11-01T12:00:00-05:00")]
    [InlineData("Sun, 1 Nov 2020 12:00:00 EEST", "2020-11-01T12:00:00+03:00")]
    [InlineData("Sun, 1 Nov 2020 12:00:00 Z", "2020-11-01T12:00:00+00:00")]
    [InlineData("Sun, 1 Nov 2020 12:00:00 A", "2020-11-01T12:00:00+00:00")]
    [InlineData("Sun, 1 Nov 2020 12:00:00 GMT+0530", "2020-11-01T12:00:00+05:30")]
    [InlineData("Sun, 1 Nov 2020 12:00:00 +0100 (CET)", "2020-11-01T12:00:00+01:00")]
    [InlineData("Sun, 1 November 2020 2:05:09 PM +0100", "2020-11-01T14:05:09+01:00")]
    [InlineData("Sun, 01-Nov-2020 12:00:00 +0100", "2020-11-01T12:00:00+01:00")]
    [InlineData("Mon Oct  5 14:32:10 2020", "2020-10-05T14:32:10+00:00")]
    [InlineData("Mon, 26 Oct 2020 09:13:57.123 +02:00", "2020-10-26T09:13:57+02:00")]
    [InlineData("Wed, 31 Dec 2008 23:59:60 +0000", "2008-12-31T23:59:59+00:00")]
    [InlineData("2020-10-26T09:13:57+02:00", "2020-10-26T09:13:57+02:00")]
    public void Parse_RfcAndObsoleteForms_GiveTheInstantWithItsOffset(string value, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DateParser.Parse(value));
    }

    [Fact]
    public void Parse_NamedZone_KeepsTheOffsetNotJustTheInstant()
    {
        Assert.Equal(TimeSpan.FromHours(-7), DateParser.Parse("Fri, 13 Mar 1998 23:59:59 PDT")?.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ensi perjantaina")]
    [InlineData("Mon, 26 Oct 2020")]
    [InlineData("31 Feb 2020 10:00:00 +0000")]
    [InlineData("26 Oct 2020 25:00:00 +0000")]
    [InlineData("26 Oct 2020 10:61:00 +0000")]
    [InlineData("26 Oct 2020 10:00:00 +9999")]
    [InlineData("26 Foo 2020 10:00:00 +0000")]
    [InlineData("26 Oct 2020 10:00:00 +0000 2021")]
    public void Parse_Unreadable_ReturnsNull(string value)
    {
        Assert.Null(DateParser.Parse(value));
    }
}
