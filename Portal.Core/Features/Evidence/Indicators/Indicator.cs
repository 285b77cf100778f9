using Portal.Core.Data;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// One thing an extortion message points at. <see cref="Value"/> is the normalised form used to
/// cluster cases into campaigns, so two spellings of the same thing must produce the same value:
/// <list type="bullet">
/// <item>BitcoinAddress: the address (bech32/bech32m lower-case, base58 as written); Detail is
/// "p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr" or "segwit-v{n}". Testnet addresses are not accepted.</item>
/// <item>EmailAddress: the lower-cased address; Detail is null.</item>
/// <item>Url: scheme, lower-cased host (and port if given), then path and query as written, without
/// the fragment. Bare "www." and ".onion" hosts get "http://". Detail is null.</item>
/// <item>Domain: the lower-cased host without a leading "www.", from URLs and email addresses;
/// Detail is null.</item>
/// <item>Amount: an invariant decimal with '.' and no grouping, e.g. "0.1" or "1500"; Detail is the
/// currency code "BTC", "EUR" or "USD".</item>
/// <item>Deadline: whole hours, e.g. "24" or "48" (days converted to hours); Detail is the text
/// that matched.</item>
/// </list>
/// </summary>
public sealed record Indicator(IndicatorKind Kind, string Value, string? Detail);
