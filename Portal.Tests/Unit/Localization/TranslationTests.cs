using System.Reflection;
using System.Text.RegularExpressions;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Reports;
using Portal.Tests.Support;
using Portal.Web.Audit;

namespace Portal.Tests.Unit.Localization;

/// <summary>Every page is translated: the same keys in en, fi and sv, and no key used that does not exist.</summary>
public sealed partial class TranslationTests
{
    private static Dictionary<string, string> Load(string culture) => RepositoryFiles.Strings(culture);

    [Theory]
    [InlineData("fi")]
    [InlineData("sv")]
    public void Translation_HasExactlyTheEnglishKeys_WithTheSamePlaceholders(string culture)
    {
        var english = Load("en");
        var translated = Load(culture);

        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), translated.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in english)
        {
            Assert.False(string.IsNullOrWhiteSpace(translated[key]), $"{culture}: {key} is empty");
            Assert.Equal(Placeholders(value), Placeholders(translated[key]));
        }

        // A translation that is mostly English is not a translation.
        var identical = english.Count(pair => pair.Value.Length > 12 && pair.Value == translated[pair.Key]);
        Assert.True(identical < english.Count / 20, $"{culture}: {identical} strings are still in English");
    }

    [Fact]
    public void EveryKeyTheViewsAndCoreUse_Exists()
    {
        var english = Load("en");
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf("Portal.Web"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match match in LiteralKey().Matches(File.ReadAllText(file)))
            {
                used.Add(match.Groups["key"].Value);
            }
        }

        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf("Portal.Core"), "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match match in ErrorCode().Matches(File.ReadAllText(file)))
            {
                used.Add(match.Groups["key"].Value);
            }
        }

        // Keys built from values at run time.
        used.UnionWith(Enum.GetNames<YesNoUnsure>().Select(v => $"Answer.{v}"));
        used.UnionWith(Enum.GetNames<ContactPreference>().Select(v => $"Contact.{v}"));
        used.UnionWith(Enum.GetNames<CaseStatus>().SelectMany(v => new[] { $"CaseStatus.{v}", $"CaseStatus.{v}.Next" }));
        used.UnionWith(ReportOptions.Currencies.Select(c => $"Currency.{c}"));
        used.UnionWith(Enum.GetNames<AuditActor>().Select(v => $"Audit.Actor.{v}"));
        used.UnionWith(AuditActionCodes().Select(AuditActionLabels.KeyFor));
        used.UnionWith(Enum.GetNames<CasePriority>().Select(v => $"Priority.{v}"));
        used.UnionWith(Enum.GetNames<TriageRoute>().Select(v => $"Case.Route.{v}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Triage.DecisionOutcome>().Where(o => o != "NotFound").Select(v => $"Case.Decision.{v}"));
        used.UnionWith(new[] { "claimed", "held", "released" }.Select(m => $"Queue.Message.{m}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Evidence.EvidenceRejection>().Select(v => $"Evidence.Rejected.{v}"));
        used.UnionWith(new[] { "En", "Fi", "Sv" }.Select(l => $"Notice.Language.{l}"));
        used.UnionWith(new[] { "En", "Fi", "Sv" }.Select(l => $"Canned.Language.{l}"));
        used.UnionWith(new[] { "NotApproved", "SamePerson", "CasesAdded" }.Select(r => $"CampaignBundle.Refused.{r}"));
        used.UnionWith(Portal.Web.Controllers.StaffInvitationsController.Messages.Select(m => $"Invitations.Message.{m}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Triage.ReassignOutcome>().Where(o => o != "NotFound").Select(v => $"Case.Reassign.{v}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Triage.ReassignOutcome>().Select(v => $"Case.Timeline.Reassign.{v}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Triage.ClaimOutcome>().Where(o => o != "Claimed").Select(v => $"Case.Timeline.Claim.{v}"));
        used.UnionWith(["Case.Reassign.HeldBy", "Case.Timeline.Reassignment", "Invitation.Intro", "Invitation.PasswordHint", "Password.TooShort", "Password.RequiresUniqueChars"]);
        used.UnionWith(Regions.Answers.Select(r => Regions.NameKey(r)));
        used.UnionWith(ReportOptions.Languages.Select(l => $"Partner.Language.{l}"));
        used.UnionWith(Enum.GetNames<PartnerType>().Select(v => $"PartnerType.{v}"));
        used.UnionWith(Enum.GetNames<IndicatorKind>().Select(v => $"IndicatorKind.{v}"));
        used.UnionWith(Enum.GetNames<ReferralStatus>().Select(v => $"ReferralStatus.{v}"));
        used.UnionWith(Enum.GetNames<ReferralOutcome>().Select(v => $"ReferralOutcome.{v}"));
        used.UnionWith(Enum.GetNames<NoPartnerReason>().Select(v => $"NoPartnerReason.{v}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Routing.ReferralAction>().Select(v => $"Partner.Done.{v}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Routing.ResponseOutcome>().Where(o => o is not ("Done" or "NotFound")).Select(v => $"Partner.Error.{v}"));
        used.UnionWith(new[] { "created", "updated", "deleted", "HasHistory" }.Select(m => $"Partners.Message.{m}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Campaigns.CampaignRule>().Select(v => $"Campaign.Rule.{v}"));

        // The staff workspace (issue 16): roles, navigation, answers, indicators, the trail, campaign actions.
        used.UnionWith(StaffRoles.All.Select(r => $"Role.{r}"));
        used.UnionWith(StaffRoles.All.SelectMany(r => Portal.Web.Staff.StaffNavigation.For(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, r)], "test")))).Select(l => l.LabelKey));
        used.UnionWith(Enum.GetNames<YesNoUnsure>().Select(v => $"Case.Answer.{v}"));
        used.UnionWith(new[] { "p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr" }.Select(t => $"Indicator.Bitcoin.{t}"));
        used.UnionWith(new[] { "from", "reply-to" }.Select(h => $"Indicator.Sender.{h}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Triage.DecisionOutcome>().Select(v => $"Audit.Decision.{v}"));
        used.UnionWith(Enum.GetNames<CampaignActionKind>().Select(v => $"Surge.Kind.{v}"));
        used.UnionWith(Enum.GetNames<CampaignActionState>().Select(v => $"Surge.State.{v}"));
        used.UnionWith(Enum.GetNames<CampaignCaseOutcome>().Select(v => $"Surge.Outcome.{v}"));
        used.UnionWith(Enum.GetNames<Portal.Core.Features.Campaigns.CampaignActionProblem>().Where(p => p is not ("None" or "NotFound")).Select(v => $"Surge.Problem.{v}"));
        used.UnionWith(ReportOptions.Languages.Select(l => $"Surge.Preview.Language.{l}"));
        used.UnionWith(Portal.Web.Evidence.EmailReadingText.Keys);
        used.UnionWith(["Chart.SummaryDecisions", "Chart.EmptyDecisions", "Chart.SummaryMinutes", "Chart.EmptyMinutes"]);

        Assert.True(used.Count > 100, $"only {used.Count} keys found: the scan is broken");
        var missing = used.Where(key => !english.ContainsKey(key)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "missing resource keys: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("fi")]
    [InlineData("sv")]
    public void EveryAuditAction_HasItsOwnLabel_InEachLanguage(string culture)
    {
        var strings = Load(culture);
        var codes = AuditActionCodes();
        Assert.True(codes.Count > 50, $"only {codes.Count} audit actions found: the scan is broken");

        var unlabelled = codes.Where(code => !strings.TryGetValue(AuditActionLabels.KeyFor(code), out var label) || string.IsNullOrWhiteSpace(label) || label == code).ToList();
        Assert.True(unlabelled.Count == 0, $"{culture}: audit actions without a label (add them to infra/i18n/strings/audit-actions.tsv): " + string.Join(", ", unlabelled));

        // Labels stand in for codes in the trail's filter, so two actions must not read the same.
        var shared = codes.GroupBy(code => strings[AuditActionLabels.KeyFor(code)], StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g)}").ToList();
        Assert.True(shared.Count == 0, $"{culture}: audit actions sharing a label: " + string.Join("; ", shared));
    }

    private static List<string> AuditActionCodes() =>
        typeof(AuditActions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => f.GetRawConstantValue())
            .OfType<string>()
            .ToList();

    private static List<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Value).Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(?:\bT|localizer)\[""(?<key>[A-Za-z0-9.]+)""\]")]
    private static partial Regex LiteralKey();

    [GeneratedRegex(@"WithErrorCode\(""(?<key>[A-Za-z0-9.]+)""\)")]
    private static partial Regex ErrorCode();
}
