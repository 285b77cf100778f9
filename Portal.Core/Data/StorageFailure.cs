using Microsoft.Data.Sqlite;
using Npgsql;

namespace Portal.Core.Data;

/// <summary>What went wrong with the portal's storage, when that is what went wrong.</summary>
public enum StorageProblem
{
    None,

    /// <summary>No space left: the database or the evidence volume is full.</summary>
    Full,

    /// <summary>Storage cannot be written (read-only file system, I/O error, no permission).</summary>
    Unwritable,
}

/// <summary>
/// Tells a full or unwritable store apart from other failures, so the victim is told the truth
/// (what they sent was not kept, and why) and the health check takes the node out of service.
/// </summary>
public static class StorageFailure
{
    private const int NoSpaceErrno = 28;
    private const int ReadOnlyFileSystemErrno = 30;
    private const int InputOutputErrno = 5;
    private const int PermissionDeniedErrno = 13;

    public static StorageProblem Of(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var problem = e switch
            {
                SqliteException { SqliteErrorCode: 13 } => StorageProblem.Full,
                SqliteException { SqliteErrorCode: 8 or 10 or 14 } => StorageProblem.Unwritable,
                PostgresException { SqlState: "53100" } => StorageProblem.Full,
                PostgresException { SqlState: "25006" } => StorageProblem.Unwritable,
                IOException { HResult: NoSpaceErrno } => StorageProblem.Full,
                IOException { HResult: ReadOnlyFileSystemErrno or InputOutputErrno or PermissionDeniedErrno } => StorageProblem.Unwritable,
                UnauthorizedAccessException => StorageProblem.Unwritable,
                _ => StorageProblem.None,
            };
            if (problem != StorageProblem.None)
            {
                return problem;
            }
        }

        return StorageProblem.None;
    }
}
