using Portal.Web.Security;

namespace Portal.Tests.Unit.Security;

public sealed class ServerMemoryPoolTests
{
    [Fact]
    public void ABlockComesBackWiped_BeforeItIsLentAgain()
    {
        using var pool = new ServerMemoryPool();
        var first = pool.Rent(100);
        first.Memory.Span.Fill((byte)'v');
        first.Dispose();

        using var second = pool.Rent(100);

        Assert.Equal(0, pool.PooledBlocks);
        Assert.Equal(ServerMemoryPool.BlockSize, second.Memory.Length);
        Assert.True(second.Memory.Span.IndexOfAnyExcept((byte)0) < 0, "a reused block still holds the previous request's bytes");
    }

    [Fact]
    public void EveryBlockIsAsLargeAsThePoolPromises_AndLargerRequestsAreRefused()
    {
        using var pool = new ServerMemoryPool();

        using var any = pool.Rent();
        using var largest = pool.Rent(ServerMemoryPool.BlockSize);

        Assert.Equal(ServerMemoryPool.BlockSize, pool.MaxBufferSize);
        Assert.Equal(ServerMemoryPool.BlockSize, any.Memory.Length);
        Assert.Equal(ServerMemoryPool.BlockSize, largest.Memory.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(ServerMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void IdleBlocksAreKeptOnlyUpToTheCap()
    {
        using var pool = new ServerMemoryPool();
        var loans = Enumerable.Range(0, ServerMemoryPool.MaxPooledBlocks + 40).Select(_ => pool.Rent()).ToList();

        loans.ForEach(loan => loan.Dispose());

        Assert.Equal(ServerMemoryPool.MaxPooledBlocks, pool.PooledBlocks);
    }

    [Fact]
    public void DisposingALoanTwice_DoesNotLendTheBlockTwice()
    {
        using var pool = new ServerMemoryPool();
        var loan = pool.Rent();
        loan.Dispose();
        loan.Dispose();

        using var first = pool.Rent();
        using var second = pool.Rent();

        Assert.Equal(0, pool.PooledBlocks);
        Assert.False(first.Memory.Span.Overlaps(second.Memory.Span), "two loans share one block");
    }

    [Fact]
    public void AfterThePoolIsDisposed_ReturnedBlocksAreNotKept_AndNothingMoreIsLent()
    {
        var pool = new ServerMemoryPool();
        var loan = pool.Rent();
        pool.Rent().Dispose();

        pool.Dispose();
        loan.Dispose();

        Assert.Equal(0, pool.PooledBlocks);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }
}
