using Portal.Core.Crypto;
using Portal.Core.Features.Campaigns;

namespace Portal.Tests.Unit.Campaigns;

public sealed class SubjectFingerprintTests
{
    [Theory]
    [InlineData("Your therapy records", "your therapy records")]
    [InlineData("  YOUR   Therapy\tRECORDS ", "your therapy records")]
    [InlineData("Your therapy records!!!", "your therapy records")]
    [InlineData("Your therapy-records...", "your therapy records")]
    [InlineData("Re: Fwd: Your therapy records", "your therapy records")]
    [InlineData("VS: VL: Your therapy records", "your therapy records")]
    [InlineData("SV: Your therapy records", "your therapy records")]
    [InlineData("Re[2]: Your therapy records", "your therapy records")]
    [InlineData("Your therapy records #48213", "your therapy records")]
    [InlineData("Case 2020-10-24: your therapy records", "case your therapy records")]
    [InlineData("Ｙｏｕｒ ｔｈｅｒａｐｙ ｒｅｃｏｒｄｓ", "your therapy records")]
    [InlineData("Terapiatietosi julkaistaan", "terapiatietosi julkaistaan")]
    [InlineData("Dina terapianteckningar – sista chansen", "dina terapianteckningar sista chansen")]
    public void Normalise_FoldsCaseSpacingDigitsPunctuationAndReplyPrefixes(string subject, string expected) =>
        Assert.Equal(expected, SubjectFingerprint.Normalise(subject));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Hi")]
    [InlineData("Re: 12345")]
    [InlineData("!!! ???")]
    [InlineData("Re: hello")]
    public void Normalise_TooLittleToMatchOn_IsNull(string? subject) =>
        Assert.Null(SubjectFingerprint.Normalise(subject));

    [Fact]
    public void Normalise_KeepsWordsThatOnlyLookLikePrefixes()
    {
        Assert.Equal("review your therapy records", SubjectFingerprint.Normalise("Review: your therapy records"));
        Assert.Equal("therapy records for anna", SubjectFingerprint.Normalise("Therapy records for: Anna"));
    }

    [Fact]
    public void DomainSubject_NearIdenticalSubjectsMatch_OthersDoNot_AndTheSubjectIsNotStoredInClear()
    {
        var fingerprint = new SubjectFingerprint(new FixedKeys());

        var first = fingerprint.DomainSubject("evil.example", "Your therapy records #1001");
        var second = fingerprint.DomainSubject("Evil.Example", "RE: your THERAPY records #2002!");
        var other = fingerprint.DomainSubject("evil.example", "Your invoice is ready");

        Assert.NotNull(first);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.StartsWith("evil.example/", first, StringComparison.Ordinal);
        Assert.Equal("evil.example/".Length + 32, first.Length);
        Assert.DoesNotContain("therapy", first, StringComparison.OrdinalIgnoreCase);
        Assert.Null(fingerprint.DomainSubject("evil.example", "Hi"));
    }

    [Fact]
    public void DomainSubject_DependsOnTheKey_SoGuessesCannotBeCheckedWithoutIt()
    {
        var one = new SubjectFingerprint(new FixedKeys(1)).DomainSubject("evil.example", "Your therapy records");
        var other = new SubjectFingerprint(new FixedKeys(2)).DomainSubject("evil.example", "Your therapy records");

        Assert.NotEqual(one, other);
    }

    private sealed class FixedKeys(byte fill = 7) : IKeySource
    {
        public MasterKey Current { get; } = new("test", new byte[32]);

        public MasterKey? Find(string id) => id == Current.Id ? Current : null;

        public byte[] GetSecret(string name) => name == SubjectFingerprint.SecretName
            ? Enumerable.Repeat(fill, 32).ToArray()
            : throw new InvalidOperationException($"unexpected secret {name}");
    }
}
