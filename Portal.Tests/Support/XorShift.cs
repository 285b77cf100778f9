namespace Portal.Tests.Support;

/// <summary>
/// A fixed-seed generator so that a failing variant can be reproduced; System.Random is
/// banned by the analyzers (CA5394) and a cryptographic one cannot be seeded.
/// </summary>
internal sealed class XorShift(uint seed)
{
    private uint state = seed;

    public int Next(int bound)
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return (int)(state % (uint)bound);
    }
}
