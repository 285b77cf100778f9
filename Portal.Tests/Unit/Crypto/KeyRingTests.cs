using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Crypto;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Crypto;

public sealed class KeyRingTests
{
    private readonly string directory = Path.Combine(TestDatabases.NewTempDirectory(), "keys");

    [Fact]
    public void Load_InDevelopment_GeneratesAPrivateMasterKey_AndReusesIt()
    {
        var first = KeyRing.Load(new KeyRingOptions { Directory = directory, CreateIfMissing = true }, NullLogger.Instance);
        var second = KeyRing.Load(new KeyRingOptions { Directory = directory, CreateIfMissing = false }, NullLogger.Instance);

        Assert.Equal(first.Current.Id, second.Current.Id);
        Assert.Equal(first.Current.Key, second.Current.Key);
        Assert.Equal(32, first.Current.Key.Length);
        var file = Path.Combine(directory, $"master-{first.Current.Id}.key");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void Load_WithoutKeys_OutsideDevelopment_FailsWithAClearMessage()
    {
        Directory.CreateDirectory(directory);

        var error = Assert.Throws<InvalidOperationException>(() =>
            KeyRing.Load(new KeyRingOptions { Directory = directory, CreateIfMissing = false }, NullLogger.Instance));

        Assert.Contains("No master key found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithAShortKey_FailsWithAClearMessage()
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "master-x.key"), Convert.ToBase64String(new byte[16]));

        var error = Assert.Throws<InvalidOperationException>(() =>
            KeyRing.Load(new KeyRingOptions { Directory = directory }, NullLogger.Instance));

        Assert.Contains("exactly 32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithTwoMasterKeys_NeedsTheActiveOneNamed()
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "master-old.key"), Convert.ToBase64String(new byte[32]));
        File.WriteAllText(Path.Combine(directory, "master-new.key"), Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()));

        Assert.Throws<InvalidOperationException>(() => KeyRing.Load(new KeyRingOptions { Directory = directory }, NullLogger.Instance));
        var ring = KeyRing.Load(new KeyRingOptions { Directory = directory, ActiveMasterKeyId = "new" }, NullLogger.Instance);

        Assert.Equal("new", ring.Current.Id);
        Assert.NotNull(ring.Find("old"));
    }

    [Fact]
    public void GetSecret_IsGeneratedOnceAndKept()
    {
        var ring = KeyRing.Load(new KeyRingOptions { Directory = directory, CreateIfMissing = true }, NullLogger.Instance);
        var secret = ring.GetSecret("receipt-mac");
        var reloaded = KeyRing.Load(new KeyRingOptions { Directory = directory }, NullLogger.Instance);

        Assert.Equal(secret, reloaded.GetSecret("receipt-mac"));
        Assert.Throws<ArgumentException>(() => ring.GetSecret("../escape"));
    }

    [Fact]
    public void Load_FromConfiguredValues_NeedsNoKeyDirectory()
    {
        var master = Convert.ToBase64String(Enumerable.Repeat((byte)3, 32).ToArray());
        var mac = Convert.ToBase64String(Enumerable.Repeat((byte)4, 32).ToArray());

        var ring = KeyRing.Load(
            new KeyRingOptions
            {
                Directory = directory,
                MasterKeys = new Dictionary<string, string> { ["env1"] = master },
                Secrets = new Dictionary<string, string> { ["receipt-mac"] = mac },
            },
            NullLogger.Instance);

        Assert.Equal("env1", ring.Current.Id);
        Assert.Equal(Enumerable.Repeat((byte)4, 32), ring.GetSecret("receipt-mac"));
        Assert.False(Directory.Exists(directory));
        Assert.Throws<InvalidOperationException>(() => KeyRing.Load(
            new KeyRingOptions { Directory = directory, MasterKeys = new Dictionary<string, string> { ["bad"] = "c2hvcnQ=" } },
            NullLogger.Instance));
    }
}
