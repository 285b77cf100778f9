using Portal.Web.Jobs;

namespace Portal.Tests.Unit.Jobs;

public sealed class RetryBackoffTests
{
    private static readonly RetryBackoff Backoff = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(30), 0.2);

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(6, 960)]
    [InlineData(7, 1800)]
    [InlineData(1000, 1800)]
    public void Nominal_DoublesPerRetry_AndStopsAtTheMaximum(int retry, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Backoff.Nominal(retry));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void Delay_StaysWithinTheJitterBand(int retry)
    {
        var nominal = Backoff.Nominal(retry);
        Assert.Equal(nominal * 0.8, Backoff.DelayBefore(retry, 0.0));
        Assert.Equal(nominal * 1.2, Backoff.DelayBefore(retry, 1.0));
        Assert.Equal(nominal, Backoff.DelayBefore(retry, 0.5));
        for (var i = 0; i < 1000; i++)
        {
            var delay = Backoff.DelayBefore(retry);
            Assert.InRange(delay, nominal * 0.8, nominal * 1.2);
        }
    }

    [Fact]
    public void Delay_NeverExceedsTheMaximum_EvenWithJitter()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(Backoff.DelayBefore(12), TimeSpan.FromMinutes(30) * 0.8, TimeSpan.FromMinutes(30));
        }

        Assert.Equal(TimeSpan.FromMinutes(30), Backoff.DelayBefore(12, 1.0));
    }

    [Fact]
    public void Delay_IsSpreadOut_SoJobsThatFailedTogetherDoNotReturnTogether()
    {
        var delays = Enumerable.Range(0, 200).Select(_ => Backoff.DelayBefore(2)).Distinct().Count();
        Assert.True(delays > 150, $"only {delays} distinct waits in 200 draws");
    }

    [Fact]
    public void WithoutJitter_TheDelayIsExact()
    {
        var exact = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 0);
        Assert.Equal(TimeSpan.FromMilliseconds(400), exact.DelayBefore(3));
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, -0.1)]
    [InlineData(1, 1.1)]
    public void Delay_RefusesARetryNumberOrDrawOutOfRange(int retry, double draw) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.DelayBefore(retry, draw));
}
