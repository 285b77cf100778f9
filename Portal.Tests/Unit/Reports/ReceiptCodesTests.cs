using System.Security.Cryptography;
using Portal.Core.Crypto;
using Portal.Core.Features.Reports;

namespace Portal.Tests.Unit.Reports;

public sealed class ReceiptCodesTests
{
    private const string Unambiguous = "^[0-9A-HJKMNP-TV-Z]";

    [Fact]
    public void CaseReference_New_IsShortAndUnambiguous()
    {
        var references = Enumerable.Range(0, 2000).Select(_ => CaseReference.New()).ToList();

        Assert.All(references, r => Assert.Matches("^VS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", r));
        Assert.Equal(references.Count, references.Distinct().Count());
    }

    [Theory]
    [InlineData("VS-7KQM-2XPD", "VS-7KQM-2XPD")]
    [InlineData(" vs-7kqm-2xpd ", "VS-7KQM-2XPD")]
    [InlineData("vs 7kqm 2xpd", "VS-7KQM-2XPD")]
    [InlineData("7KQM2XPD", "VS-7KQM-2XPD")]
    [InlineData("VS-OILL-2XPD", "VS-0111-2XPD")]
    public void CaseReference_TryNormalize_ForgivesHowPeopleTypeIt(string typed, string expected)
    {
        Assert.True(CaseReference.TryNormalize(typed, out var reference));
        Assert.Equal(expected, reference);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("VS-7KQM")]
    [InlineData("VS-7KQM-2XPDX")]
    [InlineData("VS-7KQU-2XPD")]
    [InlineData("VS-7KQ!-2XPD")]
    public void CaseReference_TryNormalize_RejectsWhatCannotBeAReference(string? typed)
    {
        Assert.False(CaseReference.TryNormalize(typed, out _));
    }

    [Fact]
    public void ReceiptKey_New_CarriesAtLeast100Bits()
    {
        var key = ReceiptKey.New();
        var characters = key.Replace("-", "", StringComparison.Ordinal);

        Assert.Equal(ReceiptKey.Characters, characters.Length);
        Assert.True(characters.Length * Math.Log2(32) >= 100);
        Assert.Matches(Unambiguous + "{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$", key);
        Assert.Equal(1000, Enumerable.Range(0, 1000).Select(_ => ReceiptKey.New()).Distinct().Count());
    }

    [Fact]
    public void ReceiptKey_TryNormalize_AcceptsSpacesAndLowerCase_RejectsWrongLength()
    {
        var key = ReceiptKey.New();

        Assert.True(ReceiptKey.TryNormalize(key.Replace('-', ' ').ToLowerInvariant(), out var normalized));
        Assert.Equal(key, normalized);
        Assert.False(ReceiptKey.TryNormalize(key[..^1], out _));
        Assert.False(ReceiptKey.TryNormalize(key + "A", out _));
    }

    [Fact]
    public void ReceiptHasher_IsKeyed_AndVerifiesOnlyTheRightPair()
    {
        var hasher = new ReceiptHasher(Ring());
        var otherServer = new ReceiptHasher(Ring());
        var key = ReceiptKey.New();

        var hash = hasher.Hash("VS-7KQM-2XPD", key);

        Assert.Equal(32, hash.Length);
        Assert.Equal(hash, hasher.Match("VS-7KQM-2XPD", key, hash, null));
        Assert.Null(hasher.Match("VS-7KQM-2XPE", key, hash, null));
        Assert.Null(hasher.Match("VS-7KQM-2XPD", ReceiptKey.New(), hash, null));
        Assert.Null(otherServer.Match("VS-7KQM-2XPD", key, hash, null));
        Assert.NotEqual(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("VS-7KQM-2XPD\n" + key)), hash);
    }

    [Fact]
    public void ReceiptHasher_MatchesAKeyAResendReplaced_UpToTheLastEight()
    {
        var hasher = new ReceiptHasher(Ring());
        var keys = Enumerable.Range(0, ReceiptHasher.EarlierKeysKept + 2).Select(_ => ReceiptKey.New()).ToList();
        byte[]? earlier = null;
        foreach (var replaced in keys[..^1])
        {
            earlier = ReceiptHasher.KeepEarlier(earlier, hasher.Hash("VS-7KQM-2XPD", replaced));
        }

        var current = hasher.Hash("VS-7KQM-2XPD", keys[^1]);

        Assert.Equal(ReceiptHasher.EarlierKeysKept * 32, earlier?.Length);
        Assert.Equal(current, hasher.Match("VS-7KQM-2XPD", keys[^1], current, earlier));
        Assert.Equal(hasher.Hash("VS-7KQM-2XPD", keys[^2]), hasher.Match("VS-7KQM-2XPD", keys[^2], current, earlier));
        Assert.Equal(hasher.Hash("VS-7KQM-2XPD", keys[1]), hasher.Match("VS-7KQM-2XPD", keys[1], current, earlier));
        Assert.Null(hasher.Match("VS-7KQM-2XPD", keys[0], current, earlier));
        Assert.Null(hasher.Match("VS-7KQM-2XPE", keys[^2], current, earlier));
    }

    private static KeyRing Ring() =>
        KeyRing.FromKeys(
            [new MasterKey("k", RandomNumberGenerator.GetBytes(32))],
            "k",
            new Dictionary<string, byte[]> { [ReceiptHasher.SecretName] = RandomNumberGenerator.GetBytes(32) });
}
