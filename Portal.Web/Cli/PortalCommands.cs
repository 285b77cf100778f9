using System.CommandLine;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Web.Data;
using Portal.Web.Hosting;
using Portal.Web.Keys;

namespace Portal.Web.Cli;

/// <summary>What a verb may do to the portal's files: a check only reads, so it must not generate keys or create a database.</summary>
public enum PortalAccess
{
    ReadWrite,
    ReadOnly,
}

/// <summary>
/// Every operator verb of the Portal.Web executable, in one System.CommandLine tree with --help:
/// offline verbs (inspect-email, verify-bundle) need no host, database or keys; the others build
/// the portal's host, with the same registrations as the web server, only when they run.
/// </summary>
public static class PortalCommands
{
    // The root's own options as System.CommandLine names them: --help and its aliases, --version.
    private static readonly string[] RootOptions = [.. new RootCommand().Options.SelectMany(o => o.Aliases.Prepend(o.Name))];

    // The web host's own settings without a section (--urls, --environment, ...). Any other
    // setting is a section path (--Logging:LogLevel:Default, --hostBuilder:reloadConfigOnChange).
    private static readonly HashSet<string> HostSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "contentRoot", "webroot", "applicationName", "http_ports", "https_ports", "AllowedHosts",
        "detailedErrors", "captureStartupErrors", "shutdownTimeoutSeconds", "suppressStatusMessages", "preventHostingStartup",
        "hostingStartupAssemblies", "hostingStartupExcludeAssemblies", "startupAssembly", "https_port", "preferHostingUrls",
    };

    /// <summary>
    /// Whether these arguments ask for a verb (or are wrong) rather than the web server. Without
    /// arguments, or with only the web host's own settings (--urls x, /environment x,
    /// --Section:Key=value, key=value), the portal is served. Anything else is answered as wrong
    /// usage: a mistyped verb or option must not start the server, nor create its data directory.
    /// </summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && (RootOptions.Contains(args[0]) || IsBareWord(args[0]) || UnknownHostArgument(args) is not null);

    private static bool IsBareWord(string arg) => arg.Length > 0 && arg[0] is not '-' and not '/' && !arg.Contains('=');

    /// <summary>
    /// The first argument that is not a setting the web host takes, read the way ASP.NET Core's
    /// command-line configuration reads them (--key value, --key=value, /key value, key=value);
    /// null when they all are. A key is the host's own (--urls), a section path
    /// (--Logging:LogLevel:Default), or the section of another key given, as a test host writes
    /// its settings out (--Logging= beside --Logging:LogLevel:Default=Debug).
    /// </summary>
    public static string? UnknownHostArgument(string[] args)
    {
        var settings = new List<(string Argument, string Key)>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) || (arg.StartsWith('/') && !arg.StartsWith("//", StringComparison.Ordinal)))
            {
                var body = arg[(arg[0] == '/' ? 1 : 2)..];
                var separator = body.IndexOf('=', StringComparison.Ordinal);
                if (separator < 0)
                {
                    if (i + 1 >= args.Length)
                    {
                        // No value: the host would silently ignore the setting.
                        return arg;
                    }

                    i++;
                }

                settings.Add((arg, separator < 0 ? body : body[..separator]));
            }
            else if (!arg.StartsWith('-') && arg.IndexOf('=', StringComparison.Ordinal) is > 0 and var separator)
            {
                settings.Add((arg, arg[..separator]));
            }
            else
            {
                // A single-dash switch or a stray word: the host would ignore it or fail on it.
                return arg;
            }
        }

        foreach (var (arg, key) in settings)
        {
            var known = HostSettings.Contains(key)
                || (key.Contains(':', StringComparison.Ordinal) && !key.StartsWith(':') && !key.EndsWith(':'))
                || (key.Length > 0 && settings.Any(s => s.Key.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase)));
            if (!known)
            {
                return arg;
            }
        }

        return null;
    }

    /// <summary>The portal as the web server builds it, without starting it; read-only access never generates keys.</summary>
    public static WebApplication BuildPortal(string[] args, PortalAccess access)
    {
        var builder = WebApplication.CreateBuilder(PortalHost.Options(args));
        if (access == PortalAccess.ReadOnly)
        {
            // The last source wins over Development's default and over an explicit Keys:CreateIfMissing.
            builder.Configuration.AddInMemoryCollection([new("Keys:CreateIfMissing", "false")]);
        }

        return builder.AddPortal().Build();
    }

    /// <summary>Runs the verb; <paramref name="host"/> builds the portal for verbs that need it (null: offline only).</summary>
    public static async Task<int> RunAsync(string[] args, Func<PortalAccess, WebApplication>? host, TextWriter output, TextWriter errors)
    {
        var root = new RootCommand("Portal: the victim support helpline portal. Without a verb, Portal.Web serves the portal.")
        {
            InspectEmailCommand.Create(output, errors),
            VerifyBundleCommand.Create(output, errors),
        };

        async Task<int> WithPortalAsync(PortalAccess access, Func<WebApplication, Task<int>> verb)
        {
            WebApplication app;
            try
            {
                app = host?.Invoke(access) ?? throw new InvalidOperationException("This verb needs the portal's configuration and database.");
            }
            catch (InvalidOperationException exception)
            {
                // Configuration the portal cannot be built from (a data directory that cannot be
                // made, a value that does not parse): the message says what, a stack trace would bury it.
                await errors.WriteLineAsync(exception.Message);
                return 1;
            }

            await using (app)
            {
                return await verb(app);
            }
        }

        var migrate = new Command("migrate", "Apply database migrations and create the staff roles.");
        migrate.SetAction((_, cancellationToken) => WithPortalAsync(PortalAccess.ReadWrite, async app =>
        {
            await DataSetup.MigrateAsync(app.Services, cancellationToken);
            await output.WriteLineAsync("Database is up to date.");
            return 0;
        }));
        root.Subcommands.Add(migrate);

        var email = new Option<string>("--email") { Description = "The first admin's email address.", Required = true };
        var name = new Option<string>("--name") { Description = "Display name.", DefaultValueFactory = _ => "Administrator" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input instead of generating one." };
        var createAdmin = new Command("create-admin", "Create an admin account. Prints a generated password once unless --password-stdin is given.")
        {
            email, name, passwordStdin,
        };
        createAdmin.SetAction((result, cancellationToken) => WithPortalAsync(PortalAccess.ReadWrite, async app =>
        {
            // Keys first: an account made before a missing key is found would have no audit entry.
            if (KeySetup.PortalKeysProblem(app.Services) is { } missing)
            {
                await errors.WriteLineAsync(missing);
                return 1;
            }

            await DataSetup.MigrateAsync(app.Services, cancellationToken);
            var generated = !result.GetValue(passwordStdin);
            var password = generated ? GeneratePassword() : (Console.In.ReadLine() ?? "").Trim();
            var outcome = await CreateAdminAsync(app.Services, result.GetValue(email) ?? "", result.GetValue(name) ?? "Administrator", password);
            if (!outcome.Succeeded)
            {
                await errors.WriteLineAsync("The admin account was not created:");
                foreach (var error in outcome.Errors)
                {
                    await errors.WriteLineAsync($"  {error.Description}");
                }

                return 1;
            }

            await output.WriteLineAsync($"Admin account {result.GetValue(email)} created.");
            if (generated)
            {
                await output.WriteLineAsync($"Password (shown once, change it after signing in): {password}");
            }

            return 0;
        }));
        root.Subcommands.Add(createAdmin);

        var verifyAudit = new Command("verify-audit", "Walk the audit trail's hash chain and report the first entry that does not verify.");
        verifyAudit.SetAction((_, cancellationToken) => WithPortalAsync(PortalAccess.ReadOnly, async app =>
        {
            if (!await DataSetup.IsMigratedAsync(app.Services, cancellationToken))
            {
                await errors.WriteLineAsync("The database has not been migrated: run `migrate` first.");
                return 1;
            }

            // Read-only: a key generated now would only report every entry as changed.
            if (KeySetup.SecretProblem(app.Services, AuditTrail.SecretName) is { } missing)
            {
                await errors.WriteLineAsync(missing);
                return 1;
            }

            await using var scope = app.Services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<VerifyAuditTrail>().HandleAsync(cancellationToken);
            if (result.IsIntact)
            {
                await output.WriteLineAsync($"Audit trail intact: {result.EntriesChecked} entries verified.");
                return 0;
            }

            await errors.WriteLineAsync($"Audit trail BROKEN at entry {result.BrokenEntryId}: {result.Problem}. {result.EntriesChecked} entries before it verified.");
            return 1;
        }));
        root.Subcommands.Add(verifyAudit);

        if (args is [var first, ..] && IsBareWord(first) && !root.Subcommands.Any(c => c.Name == first || c.Aliases.Contains(first)))
        {
            await errors.WriteLineAsync($"Unknown command '{first}'. The commands are:");
            foreach (var command in root.Subcommands)
            {
                await errors.WriteLineAsync($"  {command.Name,-14} {command.Description}");
            }

            await errors.WriteLineAsync("Without a command, Portal.Web serves the portal. Run with --help for usage.");
            return 2;
        }

        if (args is [var option, ..] && !RootOptions.Contains(option) && !IsBareWord(option) && UnknownHostArgument(args) is { } unknown)
        {
            await errors.WriteLineAsync($"Unknown option '{unknown}'.");
            await errors.WriteLineAsync("Portal.Web takes a command (run with --help for the list), or, to serve the portal, no arguments");
            await errors.WriteLineAsync("or only the web host's settings, such as --urls http://127.0.0.1:5080 or --environment Production.");
            return 2;
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Wrong usage: what was wrong, the verb's help, and exit code 2 (1 means the check failed).
            foreach (var error in parsed.Errors)
            {
                await errors.WriteLineAsync(error.Message);
            }

            await errors.WriteLineAsync($"Run with --help for usage.");
            return 2;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = errors });
    }

    public static async Task<IdentityResult> CreateAdminAsync(IServiceProvider services, string email, string name, string password)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CreateAdminHandler>().HandleAsync(email, name, password, CancellationToken.None);
    }

    /// <summary>20 random characters, drawn again until they meet Identity's rules (a digit, a lower- and an upper-case letter).</summary>
    internal static string GeneratePassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        while (true)
        {
            var password = string.Create(20, alphabet, (span, chars) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
                }
            });
            if (password.Any(char.IsAsciiDigit) && password.Any(char.IsAsciiLetterLower) && password.Any(char.IsAsciiLetterUpper))
            {
                return password;
            }
        }
    }
}
