using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Email;

namespace Portal.Web.Cli;

/// <summary>
/// <c>inspect-email &lt;file-or-directory&gt;...</c>: one JSON object per line for each file, for
/// police and operators working offline. Needs no database, keys or configuration, reads one
/// file at a time (so thousands of files run in bounded memory) and never stops at a bad file.
/// </summary>
public static class InspectEmailCommand
{
    public const string Verb = "inspect-email";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Output goes to terminals and files, never into HTML: keep names and subjects readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create(TextWriter output, TextWriter errors)
    {
        var paths = new Argument<string[]>("paths") { Description = "Email files or folders (read recursively).", Arity = ArgumentArity.OneOrMore };
        var command = new Command(Verb, "Print one JSON object per saved email: headers, Received route, parts, indicators, warnings and SHA-256. Needs no database or keys.") { paths };
        command.SetAction(async (result, _) => await RunAsync(result.GetValue(paths) ?? [], output, errors));
        return command;
    }

    private static async Task<int> RunAsync(IReadOnlyList<string> paths, TextWriter output, TextWriter errors)
    {
        var failures = 0;
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var (files, unreadable) = FilesUnder(path);
                foreach (var problem in unreadable)
                {
                    await errors.WriteLineAsync(problem);
                    failures++;
                }

                foreach (var file in files.Order(StringComparer.Ordinal))
                {
                    failures += await InspectAsync(file, output, errors) ? 0 : 1;
                }
            }
            else if (File.Exists(path))
            {
                failures += await InspectAsync(path, output, errors) ? 0 : 1;
            }
            else
            {
                await errors.WriteLineAsync($"{path}: no such file or directory");
                failures++;
            }
        }

        await output.FlushAsync();
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Every file under <paramref name="directory"/>; a folder that cannot be listed is reported and the rest still read.</summary>
    private static (List<string> Files, List<string> Unreadable) FilesUnder(string directory)
    {
        var files = new List<string>();
        var unreadable = new List<string>();
        var pending = new Stack<string>([directory]);
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false };
        while (pending.TryPop(out var current))
        {
            try
            {
                files.AddRange(Directory.EnumerateFiles(current, "*", options));
                // Links to folders are not followed, as before: one could lead in a circle.
                foreach (var subdirectory in new DirectoryInfo(current).EnumerateDirectories("*", options).Where(d => d.LinkTarget is null))
                {
                    pending.Push(Path.Combine(current, subdirectory.Name));
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                unreadable.Add($"{current}: cannot be read ({Reason(exception)})");
            }
        }

        return (files, unreadable);
    }

    private static string Reason(Exception exception) => exception switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "not found, or a link to nothing",
        _ => exception.Message,
    };

    private static async Task<bool> InspectAsync(string path, TextWriter output, TextWriter errors)
    {
        byte[] bytes;
        try
        {
            var limits = new EmailReaderLimits();
            var length = new FileInfo(path).Length;
            if (length > limits.MaxBytes)
            {
                await errors.WriteLineAsync($"{path}: larger than {limits.MaxBytes} bytes, skipped");
                return false;
            }

            bytes = await File.ReadAllBytesAsync(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"{path}: cannot be read ({Reason(exception)})");
            return false;
        }

        var email = EmailReader.Read(bytes);
        var record = new
        {
            File = path,
            Size = bytes.LongLength,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            email.From,
            email.ReplyTo,
            email.ReturnPath,
            email.To,
            email.Cc,
            email.Subject,
            email.Date,
            email.MessageId,
            email.Received,
            email.AuthenticationResults,
            email.DkimDomains,
            email.OriginatingIp,
            email.Attachments,
            Indicators = EmailIndicators.Of(email).Select(i => new { Kind = i.Kind.ToString(), i.Value, i.Detail }),
            email.Headers,
            email.Warnings,
        };
        await output.WriteLineAsync(JsonSerializer.Serialize(record, Json));
        return true;
    }
}
