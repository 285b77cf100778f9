using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Reports;

namespace Portal.Core.Features.Evidence.Intake;

/// <summary>
/// Each case's private forwarding address, "intake+&lt;token&gt;@&lt;intake domain&gt;". The token is
/// 24 Crockford base32 characters (120 bits), shown to the victim when made and stored only as
/// HMAC-SHA-256 under the receipt secret with a label of its own, like the receipt key: the
/// database alone cannot name any case's address, and at this entropy a slow hash would add nothing.
/// Mail servers may change the case of an address, so the token reads case-insensitively, and
/// O, I and L are read as 0, 1 and 1 as in receipts.
/// </summary>
public sealed class ForwardingAddresses(IKeySource keys, IOptions<IntakeOptions> options)
{
    public const int TokenCharacters = 24;

    /// <summary>Forwarding is on: a mailbox is configured and its address is usable.</summary>
    public bool Enabled => options.Value.Enabled && options.Value.AddressParts() is not null;

    /// <summary>The keyed hash stored for a token.</summary>
    public byte[] Hash(string token)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, keys.GetSecret(ReceiptHasher.SecretName));
        hmac.AppendData("forwarding-address\0"u8);
        hmac.AppendData(Encoding.ASCII.GetBytes(token));
        return hmac.GetHashAndReset();
    }

    /// <summary>
    /// Gives the case a new address in the context (the caller saves it in its transaction): the
    /// row is made or its hash replaced, so an earlier address stops working. Null when forwarding is off.
    /// </summary>
    public async Task<string?> IssueAsync(PortalDbContext db, Guid caseId, DateTime now, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }

        var token = Crockford.Random(TokenCharacters);
        var hash = Hash(token);
        var existing = db.ForwardingAddresses.Local.FirstOrDefault(a => a.CaseId == caseId)
            ?? await db.ForwardingAddresses.FirstOrDefaultAsync(a => a.CaseId == caseId, cancellationToken);
        if (existing is null)
        {
            db.ForwardingAddresses.Add(new ForwardingAddress { CaseId = caseId, TokenHash = hash, CreatedAt = now });
        }
        else
        {
            existing.TokenHash = hash;
            existing.CreatedAt = now;
        }

        return AddressOf(token);
    }

    /// <summary>The tokens of the addresses among <paramref name="addresses"/> that are plus-addresses of the intake mailbox.</summary>
    public IReadOnlyList<string> TokensIn(IEnumerable<string> addresses)
    {
        if (options.Value.AddressParts() is not { } parts)
        {
            return [];
        }

        var (local, domain) = parts;
        var tokens = new List<string>();
        foreach (var address in addresses)
        {
            var at = address.LastIndexOf('@');
            if (at <= 0 || !address.AsSpan(at + 1).Trim().Equals(domain, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var mailbox = address[..at].Trim();
            if (mailbox.Length > local.Length + 1
                && mailbox.StartsWith(local, StringComparison.OrdinalIgnoreCase)
                && mailbox[local.Length] == '+'
                && Crockford.Clean(mailbox[(local.Length + 1)..], 64) is { Length: TokenCharacters } token
                && !tokens.Contains(token))
            {
                tokens.Add(token);
            }
        }

        return tokens;
    }

    private string AddressOf(string token)
    {
        var (local, domain) = options.Value.AddressParts() ?? throw new InvalidOperationException("Intake:Address is not usable.");
        return $"{local}+{token.ToLowerInvariant()}@{domain}";
    }
}

/// <summary>
/// The victim asks for a new forwarding address from their case page: the old one stops working
/// at once (mail to it is deleted unread from then on). The new address is shown once.
/// </summary>
public sealed class ReplaceForwardingAddressHandler(PortalDbContext db, ForwardingAddresses addresses, AuditTrail audit, TimeProvider clock)
{
    /// <summary>The new address; null when forwarding is off or the case no longer holds content.</summary>
    public async Task<string?> HandleAsync(Guid caseId, Actor actor, CancellationToken cancellationToken)
    {
        if (!addresses.Enabled)
        {
            return null;
        }

        return await db.InTransactionAsync(async token =>
        {
            if (!await db.Cases.AnyAsync(c => c.Id == caseId && c.RetainedAt == null, token))
            {
                return null;
            }

            var address = await addresses.IssueAsync(db, caseId, clock.GetUtcNow().UtcDateTime, token);
            await db.SaveChangesAsync(token);
            await audit.AppendAsync(actor.Event(AuditActions.ForwardingAddressReplaced, caseId), token);
            return address;
        }, cancellationToken);
    }
}
