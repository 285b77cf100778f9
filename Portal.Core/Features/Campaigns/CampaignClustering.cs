namespace Portal.Core.Features.Campaigns;

/// <summary>What two cases must share to belong to one campaign.</summary>
public enum CampaignRule
{
    /// <summary>The same payment address (from the form or found in evidence).</summary>
    PaymentAddress = 0,

    /// <summary>The same sender or reply-to address (from the form or a parsed email's From / Reply-To).</summary>
    SenderAddress = 1,

    /// <summary>The same sending domain with a near-identical subject (see <see cref="SubjectFingerprint"/>).</summary>
    DomainSubject = 2,
}

/// <summary>
/// One thing a case points at, for the rule that matches on it. <paramref name="Value"/> is what
/// equality is decided on: the keyed hash of the normalised value (see <see cref="CampaignKeys"/>).
/// <paramref name="Shown"/> is the value itself where the reader may see it (a campaign's page),
/// else null.
/// </summary>
public sealed record CaseKey(Guid CaseId, CampaignRule Rule, string Value, string? Shown = null);

/// <summary>A value that several cases of one campaign share: shown when the keys carried it, else its keyed hash.</summary>
public sealed record SharedIndicator(CampaignRule Rule, string Value, int Cases);

/// <summary>A group of cases linked, directly or through one another, by shared values.</summary>
public sealed record CaseCluster(IReadOnlyList<Guid> CaseIds, IReadOnlyList<SharedIndicator> Shared);

/// <summary>
/// The clustering rules: cases sharing a value under any rule are joined, and joins are
/// transitive (union-find), so A–B by payment address and B–C by sender make one campaign of
/// three. Values too common to mean anything (webmail domains for the domain-and-subject rule,
/// very short values) never join: <see cref="CanJoin"/> decides that on the value itself, before
/// it is hashed, so keys are made only for values that may join. Pure and deterministic: the same
/// keys in any order give the same clusters in the same order.
/// </summary>
public static class CampaignClustering
{
    /// <summary>A payment address shorter than this is a typo or a placeholder, not an address (Bitcoin's are 26 or more).</summary>
    public const int MinimumPaymentAddressLength = 16;

    /// <summary>
    /// Domains anyone can send from. Two extortion emails from gmail.com with the same subject are
    /// at best a template shared by strangers; the sender rule still joins them on the exact address.
    /// </summary>
    public static readonly IReadOnlySet<string> CommonDomains = new HashSet<string>(StringComparer.Ordinal)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
        "aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com", "protonmail.ch", "proton.me", "pm.me",
        "tutanota.com", "tutanota.de", "tutamail.com", "tuta.io", "tuta.com", "gmx.com", "gmx.net", "gmx.de", "web.de",
        "mail.com", "email.com", "mail.ru", "inbox.ru", "bk.ru", "list.ru", "yandex.ru", "yandex.com", "zoho.com",
        "hushmail.com", "cock.li", "mailfence.com", "onionmail.org", "guerrillamail.com", "sharklasers.com",
        "luukku.com", "suomi24.fi", "elisanet.fi", "kolumbus.fi", "saunalahti.fi", "welho.com", "netti.fi",
        "telia.com", "spray.se", "bredband.net", "home.se", "live.se", "live.fi", "hotmail.fi", "hotmail.se",
        "outlook.fi", "outlook.se", "yahoo.se", "yahoo.co.uk", "hotmail.co.uk",
    };

    /// <summary>Webmail families with one domain per country (hotmail.de, yahoo.fr, gmx.at ...).</summary>
    private static readonly IReadOnlySet<string> CommonFamilies = new HashSet<string>(StringComparer.Ordinal)
    {
        "gmail", "googlemail", "hotmail", "outlook", "live", "yahoo", "gmx", "yandex", "protonmail", "aol", "icloud",
    };

    public static bool IsCommonDomain(string domain)
    {
        var labels = domain.Split('.');
        return CommonDomains.Contains(domain) || (labels.Length is 2 or 3 && CommonFamilies.Contains(labels[0]));
    }

    /// <summary>Whether a value (in the clear, normalised) may join cases under its rule.</summary>
    public static bool CanJoin(CampaignRule rule, string value) => rule switch
    {
        CampaignRule.PaymentAddress => value.Length >= MinimumPaymentAddressLength,
        CampaignRule.SenderAddress => value.IndexOf('@', StringComparison.Ordinal) > 0,
        CampaignRule.DomainSubject => value.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash && !IsCommonDomain(value[..slash]),
        _ => false,
    };

    public static IReadOnlyList<CaseCluster> Cluster(IEnumerable<CaseKey> keys)
    {
        var byValue = new Dictionary<(CampaignRule, string), SortedSet<Guid>>();
        var shown = new Dictionary<(CampaignRule, string), string>();
        foreach (var key in keys)
        {
            if (!byValue.TryGetValue((key.Rule, key.Value), out var cases))
            {
                cases = [];
                byValue[(key.Rule, key.Value)] = cases;
            }

            cases.Add(key.CaseId);
            if (key.Shown is not null)
            {
                shown.TryAdd((key.Rule, key.Value), key.Shown);
            }
        }

        var sets = new UnionFind();
        foreach (var cases in byValue.Values.Where(c => c.Count > 1))
        {
            var first = cases.Min;
            foreach (var other in cases)
            {
                sets.Union(first, other);
            }
        }

        var shared = byValue.Where(p => p.Value.Count > 1)
            .GroupBy(p => sets.Find(p.Value.Min))
            .ToDictionary(g => g.Key, g => g
                .Select(p => new SharedIndicator(p.Key.Item1, shown.GetValueOrDefault(p.Key, p.Key.Item2), p.Value.Count))
                .OrderBy(s => s.Rule).ThenByDescending(s => s.Cases).ThenBy(s => s.Value, StringComparer.Ordinal)
                .ToList());

        return sets.Members()
            .GroupBy(sets.Find)
            .Select(g => new CaseCluster([.. g.Order()], shared[g.Key]))
            .OrderBy(c => c.CaseIds[0])
            .ToList();
    }

    /// <summary>Disjoint sets of case ids; the smallest id is always the root, so the result never depends on input order.</summary>
    private sealed class UnionFind
    {
        private readonly Dictionary<Guid, Guid> parent = [];

        public List<Guid> Members() => [.. parent.Keys];

        public Guid Find(Guid id)
        {
            if (parent.TryAdd(id, id))
            {
                return id;
            }

            // Iterative, with path compression: a campaign of thousands must not recurse thousands deep.
            var root = id;
            while (parent[root] != root)
            {
                root = parent[root];
            }

            while (parent[id] != root)
            {
                var next = parent[id];
                parent[id] = root;
                id = next;
            }

            return root;
        }

        public void Union(Guid a, Guid b)
        {
            var rootA = Find(a);
            var rootB = Find(b);
            if (rootA == rootB)
            {
                return;
            }

            if (rootA.CompareTo(rootB) < 0)
            {
                parent[rootB] = rootA;
            }
            else
            {
                parent[rootA] = rootB;
            }
        }
    }
}
