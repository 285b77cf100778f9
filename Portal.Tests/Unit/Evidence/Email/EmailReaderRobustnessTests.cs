using System.Diagnostics;
using System.Text;
using Portal.Core.Features.Evidence.Email;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Evidence.Email;

/// <summary>
/// Uploaded files are hostile or broken as often as not. Reading must never throw and must stay
/// roughly linear; the time bounds are loose enough for a slow CI machine and far below what a
/// quadratic algorithm would need on these inputs.
/// </summary>
public sealed class EmailReaderRobustnessTests
{
    private static readonly TimeSpan PerMessage = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PerHostileInput = TimeSpan.FromSeconds(10);

    [Fact]
    public void Read_FiveHundredTruncatedAndCorruptedVariants_NeverThrowsKeepsInvariantsAndStaysFast()
    {
        var variants = Variants(EmailSamples.Crlf(EmailSamples.NestedMixedWithPdf), count: 500).ToList();
        var slowest = TimeSpan.Zero;

        foreach (var variant in variants)
        {
            var watch = Stopwatch.StartNew();
            var email = EmailReader.Read(variant);
            watch.Stop();

            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            Assert.All(email.Attachments, a => Assert.Matches("^[0-9a-f]{64}$", a.Sha256));
            Assert.All(email.Attachments, a => Assert.InRange(a.Size, 0, variant.Length));
            Assert.Equal(Enumerable.Range(0, email.Received.Count), email.Received.Select(h => h.Index));
            Assert.InRange(email.Warnings.Count, 0, EmailReadContext.MaxWarnings + 1);
        }

        Assert.Equal(500, variants.Count);
        Assert.True(slowest < PerMessage, $"The slowest variant took {slowest}.");
    }

    // Megabytes each: built when the test runs, not serialized into every test discovery.
    public static TheoryData<string, byte[]> HostileInputs() => new()
    {
        { "unterminated encoded words", Message("Subject: " + Repeat("=?a?q?x", 9_000), "x") },
        { "nested comments in an address", Message("From: " + Repeat("(", 60_000) + "a@example.org", "x") },
        { "quotes in an address", Message("To: " + Repeat("\"a\" <b@example.org>, ", 3_000), "x") },
        { "tags without end", Message("Content-Type: text/html", Repeat("<a<b", 500_000)) },
        { "scripts without end", Message("Content-Type: text/html", Repeat("<script>x", 200_000)) },
        { "quotes in tags", Message("Content-Type: text/html", Repeat("<a href='x>", 200_000)) },
        { "boundary prefixes on one line", Message("Content-Type: multipart/mixed; boundary=b", "--b\r\n" + Repeat("--bx", 500_000)) },
        { "a million empty parts", Message("Content-Type: multipart/mixed; boundary=b", Repeat("--b\r\n", 1_000_000)) },
        { "deep nesting", Message("Content-Type: multipart/mixed; boundary=b", Repeat("--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n", 50_000)) },
        { "one huge header line", Encoding.ASCII.GetBytes("Subject: " + Repeat("x", 5_000_000)) },
        { "a million header lines", Encoding.ASCII.GetBytes(Repeat("X: y\r\n", 1_000_000)) },
        { "a million folded lines", Encoding.ASCII.GetBytes("Subject: a\r\n" + Repeat(" b\r\n", 1_000_000)) },
        { "base64 garbage", Message("Content-Type: image/png\r\nContent-Transfer-Encoding: base64", Repeat("!@#$%^&*()", 300_000)) },
        { "quoted-printable equals signs", Message("Content-Transfer-Encoding: quoted-printable", Repeat("=  =", 500_000)) },
        { "only newlines", Encoding.ASCII.GetBytes(Repeat("\r\n", 1_000_000)) },
        { "only NULs", new byte[3_000_000] },
    };

    [Theory]
    [MemberData(nameof(HostileInputs), DisableDiscoveryEnumeration = true)]
    public void Read_HostileInput_ReturnsWithinBoundedTime(string scenario, byte[] input)
    {
        var watch = Stopwatch.StartNew();
        _ = EmailReader.Read(input);
        watch.Stop();

        Assert.True(watch.Elapsed < PerHostileInput, $"{scenario} took {watch.Elapsed}.");
    }

    /// <summary>Truncations at every 97th byte, then copies with one to eight bytes flipped.</summary>
    private static IEnumerable<byte[]> Variants(byte[] sample, int count)
    {
        var produced = 0;
        for (var length = 0; length < sample.Length && produced < count; length += 97, produced++)
        {
            yield return sample[..length];
        }

        var random = new XorShift(seed: 20201021);
        for (; produced < count; produced++)
        {
            var copy = (byte[])sample.Clone();
            var flips = 1 + random.Next(8);
            for (var i = 0; i < flips; i++)
            {
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
            }

            yield return copy;
        }
    }

    private static byte[] Message(string headers, string body) =>
        Encoding.UTF8.GetBytes($"From: a@example.org\r\n{headers}\r\n\r\n{body}");

    private static string Repeat(string text, int times) => new StringBuilder(text.Length * times).Insert(0, text, times).ToString();
}
