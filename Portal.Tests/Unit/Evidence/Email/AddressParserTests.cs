using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class AddressParserTests
{
    private readonly EmailReadContext context = new(new EmailReaderLimits());

    [Theory]
    [InlineData("jane@example.org", null, "jane@example.org")]
    [InlineData("<jane@example.org>", null, "jane@example.org")]
    [InlineData("Jane Doe <jane@example.org>", "Jane Doe", "jane@example.org")]
    [InlineData("\"Doe, Jane\" <jane@example.org>", "Doe, Jane", "jane@example.org")]
    [InlineData("\"Jane \\\"JD\\\" Doe\" <jane@example.org>", "Jane \"JD\" Doe", "jane@example.org")]
    [InlineData("jane@example.org (Jane Doe)", "Jane Doe", "jane@example.org")]
    [InlineData("Jane (work) <jane@example.org>", "Jane", "jane@example.org")]
    [InlineData("Jane.Doe@EXAMPLE.Org", null, "Jane.Doe@example.org")]
    [InlineData("<@relay.example.net:jane@example.org>", null, "jane@example.org")]
    [InlineData("\"john doe\"@example.org", null, "\"john doe\"@example.org")]
    [InlineData("=?UTF-8?Q?Maksu_=E2=82=AC?= <pay@example.org>", "Maksu €", "pay@example.org")]
    [InlineData("=?UTF-8?B?RG9lLCBKYW5l?= <jane@example.org>", "Doe, Jane", "jane@example.org")]
    [InlineData("Jane Doe jane@example.org", "Jane Doe", "jane@example.org")]
    [InlineData("Jane <jane@example.org", "Jane", "jane@example.org")]
    public void ParseList_OneMailbox_ReadsDisplayNameAndAddress(string value, string? displayName, string address)
    {
        var addresses = AddressParser.ParseList(value, "To", context);

        Assert.Equal([new EmailAddress(displayName, address)], addresses);
        Assert.Empty(context.Warnings);
    }

    [Fact]
    public void ParseList_CommasInsideQuotesAndComments_DoNotSplitMailboxes()
    {
        var addresses = AddressParser.ParseList(
            "\"Virtanen, Pekka\" <pekka@example.fi>, kaisa@example.fi (Korhonen, Kaisa), <anon@example.net>", "To", context);

        Assert.Equal(
            [
                new EmailAddress("Virtanen, Pekka", "pekka@example.fi"),
                new EmailAddress("Korhonen, Kaisa", "kaisa@example.fi"),
                new EmailAddress(null, "anon@example.net"),
            ],
            addresses);
    }

    [Fact]
    public void ParseList_Groups_YieldTheirMembersAndEmptyGroupsNothing()
    {
        var addresses = AddressParser.ParseList(
            "undisclosed-recipients:;, Uhrit: a@example.fi, \"B\" <b@example.fi>;, c@example.fi", "To", context);

        Assert.Equal(["a@example.fi", "b@example.fi", "c@example.fi"], addresses.Select(a => a.Address));
        Assert.Empty(context.Warnings);
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("@example.org")]
    [InlineData("jane@")]
    [InlineData("<>")]
    [InlineData("jane@exa mple.org>")]
    public void ParseList_BadAddress_IsSkippedWithWarning(string value)
    {
        var addresses = AddressParser.ParseList(value + ", ok@example.org", "Cc", context);

        Assert.Equal(["ok@example.org"], addresses.Select(a => a.Address));
        Assert.Contains(context.Warnings, w => w.Contains("Cc header", StringComparison.Ordinal));
    }

    [Fact]
    public void ParseList_EmptyElements_AreIgnoredSilently()
    {
        var addresses = AddressParser.ParseList(" , a@example.org,, (just a comment) ,", "To", context);

        Assert.Equal(["a@example.org"], addresses.Select(a => a.Address));
        Assert.Empty(context.Warnings);
    }
}
