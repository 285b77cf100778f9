using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;

namespace Portal.Tests.Support;

/// <summary>Looks for a victim's words in the clear in every file a portal keeps.</summary>
public static class PlaintextSearch
{
    /// <summary>No file of the data directory holds <paramref name="text"/> in the clear (the SQLite file checkpointed first).</summary>
    public static async Task AssertNowhereInDataAsync(PortalFactory factory, string text)
    {
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            if (db.Database.IsSqlite())
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        }

        var needle = Encoding.UTF8.GetBytes(text);
        foreach (var file in Directory.EnumerateFiles(factory.DataDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.True(ReadIfStillThere(file).AsSpan().IndexOf(needle) < 0, $"{Path.GetRelativePath(factory.DataDirectory, file)} holds \"{text}\" in plain text");
        }
    }

    /// <summary>
    /// The file's bytes, read while the portal may still write it; empty when it went after it was
    /// listed. SQLite removes its -wal and -shm files when the database's last connection closes,
    /// which another test's factory can cause at any moment by clearing every connection pool.
    /// </summary>
    public static byte[] ReadIfStillThere(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }
}
