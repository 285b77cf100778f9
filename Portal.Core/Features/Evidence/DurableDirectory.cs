using System.Runtime.InteropServices;

namespace Portal.Core.Features.Evidence;

/// <summary>
/// Makes a rename in a folder durable: a file's own fsync keeps its bytes, but the name it was
/// moved to lives in the folder, which must be synced too before a power loss cannot undo it.
/// Unix only; on Windows NTFS journals the rename and there is nothing to call.
/// </summary>
internal static class DurableDirectory
{
    private const int ReadOnly = 0;

    public static void Sync(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // The path as the NUL-terminated UTF-8 bytes open(2) takes.
        var path = System.Text.Encoding.UTF8.GetBytes(directory + "\0");
        var descriptor = Open(path, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"The evidence folder could not be opened to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"The evidence folder could not be synced to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
