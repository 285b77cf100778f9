using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Crypto;

/// <summary>A 256-bit key-encryption key; its id is written into every envelope it wraps.</summary>
public sealed record MasterKey(string Id, byte[] Key);

/// <summary>
/// Where keys that must never live in the database come from. A boundary so that a key
/// management service can replace the key directory later.
/// </summary>
public interface IKeySource
{
    MasterKey Current { get; }

    MasterKey? Find(string id);

    /// <summary>A 256-bit secret for MACs (receipts, audit chain), by name.</summary>
    byte[] GetSecret(string name);
}

public sealed class KeyRingOptions
{
    public required string Directory { get; init; }

    /// <summary>Which master key wraps new data keys; may be left out while there is only one.</summary>
    public string? ActiveMasterKeyId { get; init; }

    /// <summary>Generate missing keys (Development and tests only).</summary>
    public bool CreateIfMissing { get; init; }

    /// <summary>Master keys given as base64 by id, e.g. from environment variables; they win over files.</summary>
    public IReadOnlyDictionary<string, string> MasterKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>MAC secrets given as base64 by name; they win over files.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Keys read from a directory of files, each holding the base64 of 32 random bytes:
/// <c>master-&lt;id&gt;.key</c> for master keys and <c>&lt;name&gt;.key</c> for MAC secrets.
/// In production the directory is a mounted secret; old master keys stay in it so that
/// envelopes written before a rotation can still be opened.
/// </summary>
public sealed class KeyRing : IKeySource
{
    private const string MasterPrefix = "master-";
    private const string Extension = ".key";

    private readonly Dictionary<string, MasterKey> masters;
    private readonly Dictionary<string, byte[]> secrets;
    private readonly string? directory;
    private readonly bool createIfMissing;
    private readonly ILogger? logger;
    private readonly Lock gate = new();

    private KeyRing(Dictionary<string, MasterKey> masters, MasterKey current, Dictionary<string, byte[]> secrets, string? directory, bool createIfMissing, ILogger? logger)
    {
        this.masters = masters;
        Current = current;
        this.secrets = secrets;
        this.directory = directory;
        this.createIfMissing = createIfMissing;
        this.logger = logger;
    }

    public MasterKey Current { get; }

    public MasterKey? Find(string id) => masters.GetValueOrDefault(id);

    public byte[] GetSecret(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid key name.", nameof(name));
        }

        lock (gate)
        {
            if (secrets.TryGetValue(name, out var known))
            {
                return known;
            }

            if (directory is null)
            {
                throw new KeyNotFoundException($"No secret named '{name}' in this key ring.");
            }

            var path = Path.Combine(directory, name + Extension);
            if (!File.Exists(path))
            {
                if (!createIfMissing)
                {
                    throw new InvalidOperationException($"The secret '{name}' is missing: expected the base64 of 32 random bytes in {path}.");
                }

                WriteNewKeyFile(path);
                logger?.LogWarning("Generated a new secret {SecretName} under {KeyDirectory}; keep this directory out of backups of the database", name, directory);
            }

            var secret = ReadKeyFile(path);
            secrets[name] = secret;
            return secret;
        }
    }

    public static KeyRing Load(KeyRingOptions options, ILogger logger)
    {
        var inlineMasters = options.MasterKeys.Select(pair => new MasterKey(pair.Key, DecodeKey(pair.Value, $"Keys:MasterKeys:{pair.Key}"))).ToList();
        var inlineSecrets = options.Secrets.ToDictionary(pair => pair.Key, pair => DecodeKey(pair.Value, $"Keys:Secrets:{pair.Key}"), StringComparer.Ordinal);
        if (inlineMasters.Count > 0 && !System.IO.Directory.Exists(options.Directory) && !options.CreateIfMissing)
        {
            var onlyId = options.ActiveMasterKeyId ?? (inlineMasters.Count == 1 ? inlineMasters[0].Id : null)
                ?? throw new InvalidOperationException("Several master keys are configured: set Keys:ActiveMasterKeyId to the one that wraps new data.");
            var ring = FromKeys(inlineMasters, onlyId, inlineSecrets);
            logger.LogInformation("Key ring loaded from configuration, active master key {MasterKeyId}", onlyId);
            return ring;
        }

        if (options.CreateIfMissing)
        {
            System.IO.Directory.CreateDirectory(options.Directory);
        }
        else if (!System.IO.Directory.Exists(options.Directory))
        {
            throw new InvalidOperationException($"No master key found: the key directory {options.Directory} does not exist. Configure Keys:Directory, or run in Development to generate keys.");
        }

        var masters = System.IO.Directory.EnumerateFiles(options.Directory, MasterPrefix + "*" + Extension)
            .Select(path => new MasterKey(Path.GetFileName(path)[MasterPrefix.Length..^Extension.Length], ReadKeyFile(path)))
            .Where(key => IsValidName(key.Id))
            .ToDictionary(key => key.Id, StringComparer.Ordinal);
        foreach (var key in inlineMasters)
        {
            masters[key.Id] = key;
        }

        if (masters.Count == 0)
        {
            if (!options.CreateIfMissing)
            {
                throw new InvalidOperationException($"No master key found in {options.Directory}: expected a file master-<id>.key holding the base64 of 32 random bytes.");
            }

            var id = options.ActiveMasterKeyId ?? DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            var path = Path.Combine(options.Directory, MasterPrefix + id + Extension);
            WriteNewKeyFile(path);
            masters[id] = new MasterKey(id, ReadKeyFile(path));
            logger.LogWarning("Generated a new master key {MasterKeyId} under {KeyDirectory} (Development only); losing it makes every encrypted field and file unreadable", id, options.Directory);
        }

        MasterKey current;
        if (options.ActiveMasterKeyId is { Length: > 0 } activeId)
        {
            current = masters.GetValueOrDefault(activeId)
                ?? throw new InvalidOperationException($"Keys:ActiveMasterKeyId is '{activeId}' but {options.Directory} holds no master-{activeId}.key.");
        }
        else if (masters.Count == 1)
        {
            current = masters.Values.Single();
        }
        else
        {
            throw new InvalidOperationException($"{options.Directory} holds {masters.Count} master keys: set Keys:ActiveMasterKeyId to the one that wraps new data.");
        }

        var count = masters.Count;
        logger.LogInformation("Key ring loaded: {MasterKeyCount} master key(s), active {MasterKeyId}", count, current.Id);
        return new KeyRing(masters, current, inlineSecrets, options.Directory, options.CreateIfMissing, logger);
    }

    /// <summary>An in-memory key ring, for tools and tests.</summary>
    public static KeyRing FromKeys(IEnumerable<MasterKey> masterKeys, string currentId, IReadOnlyDictionary<string, byte[]> secrets)
    {
        var masters = masterKeys.ToDictionary(k => k.Id, StringComparer.Ordinal);
        return new KeyRing(masters, masters[currentId], new Dictionary<string, byte[]>(secrets, StringComparer.Ordinal), null, false, null);
    }

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static byte[] ReadKeyFile(string path) => DecodeKey(File.ReadAllText(path), path);

    private static byte[] DecodeKey(string base64, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{source} does not hold base64 text.");
        }

        return key.Length == 32 ? key : throw new InvalidOperationException($"{source} must hold exactly 32 bytes (base64), found {key.Length}.");
    }

    private static void WriteNewKeyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    }
}
