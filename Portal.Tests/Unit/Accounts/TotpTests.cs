using System.Text;
using Portal.Core.Features.Accounts;

namespace Portal.Tests.Unit.Accounts;

public sealed class TotpTests
{
    // RFC 6238 appendix B, SHA-1 seed.
    private static readonly byte[] Rfc6238Secret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Code_MatchesTheRfc6238TestVectors(long unixSeconds, string expected)
    {
        Assert.Equal(expected, Totp.Code(Rfc6238Secret, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)), digits: 8));
    }

    [Fact]
    public void Match_AcceptsOneStepEitherSide_NotTwo()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var step = Totp.StepAt(now);

        Assert.Equal(step, Totp.Match(Rfc6238Secret, Totp.Code(Rfc6238Secret, step), now, null));
        Assert.Equal(step - 1, Totp.Match(Rfc6238Secret, Totp.Code(Rfc6238Secret, step - 1), now, null));
        Assert.Equal(step + 1, Totp.Match(Rfc6238Secret, Totp.Code(Rfc6238Secret, step + 1), now, null));
        Assert.Null(Totp.Match(Rfc6238Secret, Totp.Code(Rfc6238Secret, step - 2), now, null));
        Assert.Null(Totp.Match(Rfc6238Secret, Totp.Code(Rfc6238Secret, step + 2), now, null));
    }

    [Fact]
    public void Match_RefusesACodeForAStepAlreadyUsed_OrEarlier()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var step = Totp.StepAt(now);
        var code = Totp.Code(Rfc6238Secret, step);

        Assert.Null(Totp.Match(Rfc6238Secret, code, now, lastUsedStep: step));
        Assert.Null(Totp.Match(Rfc6238Secret, Totp.Code(Rfc6238Secret, step - 1), now, lastUsedStep: step));
        Assert.Equal(step + 1, Totp.Match(Rfc6238Secret, Totp.Code(Rfc6238Secret, step + 1), now, lastUsedStep: step));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("abcdef")]
    public void Match_RefusesWhatIsNotSixDigits(string typed)
    {
        Assert.Null(Totp.Match(Rfc6238Secret, typed, DateTimeOffset.UnixEpoch.AddYears(50), null));
    }

    [Fact]
    public void FromBase32_ReadsKeysAsAppsShowThem()
    {
        Assert.Equal(Encoding.ASCII.GetBytes("foobar"), Totp.FromBase32("mzxw 6ytb oi======"));
        Assert.Throws<FormatException>(() => Totp.FromBase32("not base32!"));
    }
}
