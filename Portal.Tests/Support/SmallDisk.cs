using System.Diagnostics;

namespace Portal.Tests.Support;

/// <summary>
/// A small file system of its own (tmpfs, mounted for the test) that a test can fill up or turn
/// read-only under a running portal, as a real disk does. Mounting needs root (infra/test runs the
/// tests as root, or with password-less sudo).
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    public static SmallDisk Mount(int megabytes)
    {
        var path = TestDatabases.NewTempDirectory();
        Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", path);
        return new SmallDisk(path);
    }

    /// <summary>Fills the file system with a filler file until only about <paramref name="leaveBytes"/> are free.</summary>
    public void Fill(long leaveBytes)
    {
        var free = new DriveInfo(Path).AvailableFreeSpace;
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Append, FileAccess.Write);
        var block = new byte[64 * 1024];
        var toWrite = free - leaveBytes;
        try
        {
            while (toWrite > 0)
            {
                var count = (int)Math.Min(block.Length, toWrite);
                filler.Write(block, 0, count);
                toWrite -= count;
            }

            filler.Flush();
        }
        catch (IOException full) when (full.HResult == 28)
        {
            // Asked to leave nothing, and nothing is left.
        }
    }

    public void FreeUp() => File.Delete(System.IO.Path.Combine(Path, "filler"));

    public void MakeReadOnly() => Run("mount", "-o", "remount,ro", Path);

    public void MakeWritable() => Run("mount", "-o", "remount,rw", Path);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static void Run(string command, params string[] arguments)
    {
        var root = Environment.UserName == "root";
        var start = new ProcessStartInfo(root ? command : "sudo") { RedirectStandardError = true, RedirectStandardOutput = true };
        if (!root)
        {
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(command);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start.");
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors.Trim()} (the storage tests need root or password-less sudo to mount a small tmpfs).");
        }
    }
}
