using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Evidence.Indicators;

namespace Portal.Tests.Unit.Campaigns;

public sealed class CampaignClusteringTests
{
    private static readonly Guid A = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid B = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid C = Guid.Parse("00000000-0000-0000-0000-00000000000c");
    private static readonly Guid D = Guid.Parse("00000000-0000-0000-0000-00000000000d");
    private static readonly Guid E = Guid.Parse("00000000-0000-0000-0000-00000000000e");

    private const string Wallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    private const string OtherWallet = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";

    private static CaseKey Pay(Guid id, string value) => new(id, CampaignRule.PaymentAddress, value);

    private static CaseKey Sender(Guid id, string value) => new(id, CampaignRule.SenderAddress, value);

    private static CaseKey DomainSubject(Guid id, string value) => new(id, CampaignRule.DomainSubject, value);

    [Fact]
    public void SamePaymentAddress_JoinsCases_AndNamesTheAddress()
    {
        var clusters = CampaignClustering.Cluster([Pay(A, Wallet), Pay(B, Wallet), Pay(C, OtherWallet)]);

        var cluster = Assert.Single(clusters);
        Assert.Equal([A, B], cluster.CaseIds);
        Assert.Equal([new SharedIndicator(CampaignRule.PaymentAddress, Wallet, 2)], cluster.Shared);
    }

    [Fact]
    public void SameSenderAddress_JoinsCases()
    {
        var clusters = CampaignClustering.Cluster([Sender(A, "ransom@evil.example"), Sender(B, "ransom@evil.example"), Sender(C, "other@evil.example")]);

        Assert.Equal([A, B], Assert.Single(clusters).CaseIds);
    }

    [Fact]
    public void SameDomainAndSubject_JoinsCases_ButNotTheSameSubjectFromAnotherDomain()
    {
        var clusters = CampaignClustering.Cluster([
            DomainSubject(A, "evil.example/0123456789abcdef0123456789abcdef"),
            DomainSubject(B, "evil.example/0123456789abcdef0123456789abcdef"),
            DomainSubject(C, "other.example/0123456789abcdef0123456789abcdef"),
            DomainSubject(D, "evil.example/ffffffffffffffffffffffffffffffff"),
        ]);

        Assert.Equal([A, B], Assert.Single(clusters).CaseIds);
    }

    [Fact]
    public void SharedValuesAreTransitive_AcrossRules_IntoOneCampaign()
    {
        // A–B share a wallet, B–C a sender, C–D a domain and subject: one campaign of four; E stays alone.
        var clusters = CampaignClustering.Cluster([
            Pay(A, Wallet), Pay(B, Wallet),
            Sender(B, "ransom@evil.example"), Sender(C, "ransom@evil.example"),
            DomainSubject(C, "evil.example/0123456789abcdef0123456789abcdef"), DomainSubject(D, "evil.example/0123456789abcdef0123456789abcdef"),
            Pay(E, OtherWallet), Sender(E, "someone@else.example"),
        ]);

        var cluster = Assert.Single(clusters);
        Assert.Equal([A, B, C, D], cluster.CaseIds);
        Assert.Equal([CampaignRule.PaymentAddress, CampaignRule.SenderAddress, CampaignRule.DomainSubject], cluster.Shared.Select(s => s.Rule));
    }

    [Fact]
    public void CommonWebmailDomain_WithTheSameSubject_MayNotJoin_ButItsExactAddressMay()
    {
        // Checked on the value itself, before it is hashed: the analysis makes no such key at all.
        Assert.False(CampaignClustering.CanJoin(CampaignRule.DomainSubject, "gmail.com/0123456789abcdef0123456789abcdef"));
        Assert.False(CampaignClustering.CanJoin(CampaignRule.DomainSubject, "hotmail.de/0123456789abcdef0123456789abcdef"));
        Assert.True(CampaignClustering.CanJoin(CampaignRule.DomainSubject, "evil.example/0123456789abcdef0123456789abcdef"));
        Assert.True(CampaignClustering.CanJoin(CampaignRule.SenderAddress, "anon.ransom@gmail.com"));

        var byAddress = CampaignClustering.Cluster([.. CampaignKeys.OfCase(A, null, "anon.ransom@gmail.com", Sealing(), shown: false), .. CampaignKeys.OfCase(B, null, "Anon.Ransom@gmail.com ", Sealing(), shown: false)]);
        Assert.Equal([A, B], Assert.Single(byAddress).CaseIds);
    }

    [Theory]
    [InlineData("gmail.com", true)]
    [InlineData("proton.me", true)]
    [InlineData("luukku.com", true)]
    [InlineData("yahoo.co.jp", true)]
    [InlineData("gmx.at", true)]
    [InlineData("evil.example", false)]
    [InlineData("mail.evil.example", false)]
    [InlineData("gmail.evil.example.com", false)]
    public void CommonDomains_AreRecognised_WithoutCatchingLookalikes(string domain, bool common) =>
        Assert.Equal(common, CampaignClustering.IsCommonDomain(domain));

    [Fact]
    public void ShortPaymentValues_AreNotAddresses_AndJoinNothing()
    {
        var sealing = Sealing();
        Assert.Empty(CampaignKeys.OfCase(A, "unknown", "not an address", sealing, shown: false));
        Assert.Empty(CampaignClustering.Cluster([.. CampaignKeys.OfCase(A, "unknown", null, sealing, false), .. CampaignKeys.OfCase(B, "unknown", null, sealing, false)]));
    }

    [Fact]
    public void TypedAndFoundValues_AreComparedByKeyedHash_WhichHidesTheValue()
    {
        var sealing = Sealing();
        var typed = Assert.Single(CampaignKeys.OfCase(A, " BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", null, sealing, shown: false));
        var found = Convert.ToBase64String(sealing.Mac(IndicatorKind.BitcoinAddress, SealedIndicators.Normalise(IndicatorKind.BitcoinAddress, Wallet)));

        Assert.Equal(found, typed.Value);
        Assert.Null(typed.Shown);
        Assert.DoesNotContain(Wallet, typed.Value, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(typed.Value, Assert.Single(CampaignKeys.OfCase(A, Wallet, null, Sealing(fill: 8), shown: false)).Value);
        Assert.NotEqual(typed.Value, Convert.ToBase64String(sealing.Mac(IndicatorKind.Url, Wallet)));
        Assert.Equal(Wallet, Assert.Single(CampaignKeys.OfCase(A, Wallet, null, sealing, shown: true)).Shown);

        // The page names the shared value it was shown, while equality is decided on the hash.
        var cluster = Assert.Single(CampaignClustering.Cluster([typed, new CaseKey(B, CampaignRule.PaymentAddress, found, Wallet)]));
        Assert.Equal([new SharedIndicator(CampaignRule.PaymentAddress, Wallet, 2)], cluster.Shared);
    }

    [Fact]
    public void SingleCasesAndRepeatsWithinOneCase_MakeNoCampaign()
    {
        Assert.Empty(CampaignClustering.Cluster([Pay(A, Wallet), Pay(A, Wallet), Sender(A, "ransom@evil.example")]));
    }

    [Fact]
    public void Result_DoesNotDependOnInputOrder()
    {
        List<CaseKey> keys =
        [
            Pay(D, Wallet), Pay(A, Wallet), Sender(C, "x@evil.example"), Sender(B, "x@evil.example"),
            Pay(E, OtherWallet), Pay(B, OtherWallet), DomainSubject(C, "evil.example/aa"), DomainSubject(E, "evil.example/aa"),
        ];
        var expected = CampaignClustering.Cluster(keys);

        // Every rotation of two interleavings (step 3 and 5 are coprime to 8), forwards and backwards.
        for (var seed = 0; seed < 32; seed++)
        {
            var step = seed % 2 == 0 ? 3 : 5;
            var shuffled = keys.Select((key, i) => (key, i)).OrderBy(p => ((p.i * step) + seed) % keys.Count).Select(p => p.key).ToList();
            if (seed >= 16)
            {
                shuffled.Reverse();
            }

            var clusters = CampaignClustering.Cluster(shuffled);
            Assert.Equal(expected.Select(c => c.CaseIds), clusters.Select(c => c.CaseIds));
            Assert.Equal(expected.Select(c => c.Shared), clusters.Select(c => c.Shared));
        }
    }

    [Fact]
    public void TwoSeparateCampaigns_AreOrderedByTheirFirstCase()
    {
        var clusters = CampaignClustering.Cluster([Pay(D, Wallet), Pay(C, Wallet), Sender(B, "x@evil.example"), Sender(A, "x@evil.example")]);

        Assert.Equal([[A, B], [C, D]], clusters.Select(c => c.CaseIds));
    }

    [Fact]
    public void ALongChain_OfThousandsOfCases_IsOneCampaign()
    {
        var ids = Enumerable.Range(1, 5_000).Select(i => new Guid(i, 0, 0, new byte[8])).ToList();
        // Each case shares a sender with the next: one chain, joined in the worst order for a naive union-find.
        var keys = ids.Zip(ids.Skip(1)).SelectMany((pair, i) => new[] { Sender(pair.First, $"link{i}@evil.example"), Sender(pair.Second, $"link{i}@evil.example") }).Reverse();

        var cluster = Assert.Single(CampaignClustering.Cluster(keys));

        Assert.Equal(ids.Count, cluster.CaseIds.Count);
    }

    [Theory]
    [InlineData("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ ", Wallet)]
    [InlineData(" 1BoatSLRHtKNngkdXEeobR76b53LETtpyT", OtherWallet)]
    public void PaymentAddresses_AreNormalised_Bech32ToLowerCase_Base58AsWritten(string typed, string expected) =>
        Assert.Equal(expected, CampaignKeys.NormalisePayment(typed));

    private static SealedIndicators Sealing(byte fill = 7)
    {
        var keys = KeyRing.FromKeys([new MasterKey("test", new byte[32])], "test", new Dictionary<string, byte[]> { [SealedIndicators.SecretName] = Enumerable.Repeat(fill, 32).ToArray() });
        return new SealedIndicators(keys, new EnvelopeCipher(keys));
    }
}
