using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Audit;
using Portal.Tests.Unit.Components;
using Portal.Web;
using Portal.Web.Audit;

namespace Portal.Tests.Unit.Staff;

/// <summary>The trail's stored subjects and details as staff read them, in their language; shapes not known stay as stored.</summary>
public sealed class AuditTextTests : ComponentTestContext
{
    private string Describe(string culture, string action, string? subject, string? detail)
    {
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo(culture);
            return Services.GetRequiredService<IStringLocalizer<SharedResource>>().Describe(action, subject, detail);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [Theory]
    [InlineData("en", AuditActions.ReferralOutcomeRecorded, "referral 2", "Done: SupportGiven", "referral 2 · done: Support given")]
    [InlineData("fi", AuditActions.ReferralOutcomeRecorded, "referral 2", "Done: SupportGiven", "lähete 2 · tehty: Tukea annettu")]
    [InlineData("en", AuditActions.ReferralAssigned, "referral 7", "partner 3", "referral 7 · partner 3")]
    [InlineData("en", AuditActions.ReferralUnassigned, "referral 7", "NoneWithCapacity", "referral 7 · Every suitable partner is full for today")]
    [InlineData("sv", AuditActions.TriageDecided, "Police", "ConsentMissing", "Till polisen · avvisades: inget samtycke")]
    [InlineData("en", AuditActions.ReportSubmitted, null, "Urgent", "Urgent")]
    [InlineData("fi", AuditActions.ConsentGiven, null, "Police", "Poliisi")]
    [InlineData("sv", AuditActions.StatisticsExported, "Day", "30 periods from 2026-11-08", "Per dag · perioder: 30, från 2026-11-08")]
    [InlineData("fi", AuditActions.CampaignsRecomputed, null, "1 campaigns, 0 new, 1 changed, 0 retired", "kampanjoita: 1; uusia: 0; muuttuneita: 1; päättyneitä: 0")]
    [InlineData("en", AuditActions.CampaignsListed, null, "3", "campaigns shown: 3")]
    [InlineData("en", AuditActions.NoticePosted, "8c7e2a4e-3f1b-4c55-9d2e-5b0f6a1c9e11", "2026-12-20", "Deadline: 2026-12-20")]
    [InlineData("en", AuditActions.NoticeWithdrawn, "8c7e2a4e-3f1b-4c55-9d2e-5b0f6a1c9e11", null, "")]
    [InlineData("en", AuditActions.MessageSent, "12", null, "message 12")]
    [InlineData("en", AuditActions.RolesChanged, "user-id", "Admin,Volunteer", "Administrator, Volunteer")]
    [InlineData("en", AuditActions.StaffSignIn, null, "recovery-code", "with a recovery code")]
    [InlineData("en", AuditActions.AccessDenied, "8c7e2a4e-3f1b-4c55-9d2e-5b0f6a1c9e11", "referral view", "a referral")]
    [InlineData("en", AuditActions.EvidenceOpened, "8c7e2a4e-3f1b-4c55-9d2e-5b0f6a1c9e11", "checking the headers", "file 5b0f6a1c9e11 · reason: checking the headers")]
    [InlineData("en", AuditActions.CaseReassigned, null, "from=a to=b Reassigned reason=Ann is ill", "reassigned · reason: Ann is ill")]
    [InlineData("en", "something.new", "subject", "detail", "subject · detail")]
    public void Describes(string culture, string action, string? subject, string? detail, string expected)
    {
        Assert.Equal(expected, Describe(culture, action, subject, detail));
    }

    [Fact]
    public void FilesUploadedTogether_AreToldApart()
    {
        // File ids are version-7 GUIDs: their start is the upload time, the same for files added in the same minute.
        var at = new DateTimeOffset(2026, 12, 7, 10, 15, 0, TimeSpan.Zero);
        var first = Guid.CreateVersion7(at).ToString();
        var second = Guid.CreateVersion7(at).ToString();

        var described = new[] { first, second }.Select(id => Describe("en", AuditActions.EvidenceOpened, id, "headers")).ToList();

        Assert.NotEqual(described[0], described[1]);
        Assert.Equal($"file {first[^12..]} · reason: headers", described[0]);
    }
}
