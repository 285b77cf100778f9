using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Tests.Support;
using static Portal.Tests.Support.RoutingSteps;

namespace Portal.Tests.Integration.Routing;

/// <summary>Admins keep the partners (/admin/partners) and link staff to them (/staff/users); other roles cannot.</summary>
public sealed class PartnerAdminTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    private static FormUrlEncodedContent Form(string token, params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).Prepend(new("__af", token)));

    [Fact]
    public async Task Admin_CreatesEditsAndDeletesPartners_BadInputChangesNothing_AndEveryChangeIsAudited()
    {
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var page = await admin.GetPageAsync("/admin/partners/new");
        var token = page.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";
        var name = $"Tampere crisis line {Guid.NewGuid():N}";

        using (var bad = await admin.PostAsync("/admin/partners/new", Form(token, ("Name", name), ("Type", "Police"), ("IsCrisisLine", "true"), ("Regions", "atlantis"), ("DailyCapacity", "lots"), ("ContactEmail", "not-an-address"))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
            var errors = (await HtmlForms.ParseAsync(bad)).QuerySelectorAll(".field-error").Select(e => e.TextContent).ToList();
            Assert.Contains("Only a counselling partner can be a crisis line.", errors);
            Assert.Contains("Choose regions from the list.", errors);
            Assert.Contains("Choose at least one language.", errors);
            Assert.Contains("Enter a whole number from 1 to 10000.", errors);
            Assert.Contains("Enter a valid email address.", errors);
        }

        Assert.False(await WithDbAsync(factory, db => db.Partners.AnyAsync(p => p.Name == name)));

        using (var created = await admin.PostAsync("/admin/partners/new", Form(token, ("Name", name), ("Type", "Counselling"), ("IsCrisisLine", "true"), ("Regions", "pirkanmaa"), ("Regions", "uusimaa"), ("Languages", "fi"), ("Languages", "sv"), ("DailyCapacity", "12"), ("ContactEmail", "crisis@partner.test"), ("Active", "true"))))
        {
            Assert.Equal("/admin/partners?message=created", created.Headers.Location?.OriginalString);
        }

        var partner = await WithDbAsync(factory, db => db.Partners.AsNoTracking().SingleAsync(p => p.Name == name));
        Assert.Equal((PartnerType.Counselling, true, 12, true), (partner.Type, partner.IsCrisisLine, partner.DailyCapacity, partner.Active));
        Assert.Equal(["uusimaa", "pirkanmaa"], partner.Regions);
        Assert.Equal(["fi", "sv"], partner.Languages);
        var list = await admin.GetPageAsync("/admin/partners");
        Assert.NotNull(list.QuerySelector($"[data-testid=partner-row][data-name='{name}']"));

        using (var taken = await admin.PostAsync("/admin/partners/new", Form(token, ("Name", name), ("Type", "Police"), ("AllRegions", "true"), ("Languages", "fi"), ("DailyCapacity", "5"), ("ContactEmail", "p@partner.test"))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, taken.StatusCode);
            Assert.Equal("Another partner already has this name.", (await HtmlForms.ParseAsync(taken)).QuerySelector("#Name-error")?.TextContent);
        }

        // A zero-width space makes a name that looks the same as another's.
        using (var lookalike = await admin.PostAsync("/admin/partners/new", Form(token, ("Name", name + "\u200B"), ("Type", "Police"), ("AllRegions", "true"), ("Languages", "fi"), ("DailyCapacity", "5"), ("ContactEmail", "p@partner.test"))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, lookalike.StatusCode);
            Assert.Equal("Names cannot contain invisible or text-direction characters.", (await HtmlForms.ParseAsync(lookalike)).QuerySelector("#Name-error")?.TextContent);
        }

        using (var edited = await admin.PostAsync($"/admin/partners/{partner.Id}", Form(token, ("Name", name), ("Type", "Counselling"), ("AllRegions", "true"), ("Regions", "lappi"), ("Languages", "en"), ("DailyCapacity", "30"), ("ContactEmail", "crisis@partner.test"))))
        {
            Assert.Equal("/admin/partners?message=updated", edited.Headers.Location?.OriginalString);
        }

        var saved = await WithDbAsync(factory, db => db.Partners.AsNoTracking().SingleAsync(p => p.Id == partner.Id));
        Assert.Equal((true, false, 30, false), (saved.ServesAllRegions, saved.IsCrisisLine, saved.DailyCapacity, saved.Active));

        // A partner that received a referral stays (deactivate it instead); one that never did can go.
        var used = await AddPartnerAsync(factory, PartnerType.Police, "uusimaa");
        var filed = await FileAsync(factory, new Dictionary<string, string?> { ["Region"] = "uusimaa" });
        using (await DecideAsync(factory, filed.Id, "Police"))
        {
        }

        await RouteAsync(factory, (await ReferralAsync(factory, filed.Id, PartnerType.Police)).Id);
        using (var refused = await admin.PostAsync($"/admin/partners/{used.Id}/delete", Form(token)))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        using (var deleted = await admin.PostAsync($"/admin/partners/{partner.Id}/delete", Form(token)))
        {
            Assert.Equal("/admin/partners?message=deleted", deleted.Headers.Location?.OriginalString);
        }

        // A second click lands where the first did; a change sent from a tab opened before keeps what was typed.
        using (var again = await admin.PostAsync($"/admin/partners/{partner.Id}/delete", Form(token)))
        {
            Assert.Equal("/admin/partners?message=deleted", again.Headers.Location?.OriginalString);
        }

        using (var stale = await admin.PostAsync($"/admin/partners/{partner.Id}", Form(token, ("Name", name + " again"), ("Type", "Counselling"), ("AllRegions", "true"), ("Languages", "en"), ("DailyCapacity", "30"), ("ContactEmail", "crisis@partner.test"))))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            var kept = await HtmlForms.ParseAsync(stale);
            Assert.Contains("This partner was deleted", kept.QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
            Assert.Equal(name + " again", kept.QuerySelector("#Name")?.GetAttribute("value"));
            Assert.NotNull(kept.QuerySelector("form[action^='/admin/partners/new']"));
        }

        using (var unknown = await admin.PostAsync("/admin/partners/987654321/delete", Form(token)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        Assert.False(await WithDbAsync(factory, db => db.Partners.AnyAsync(p => p.Id == partner.Id || p.Name == name + " again")));
        Assert.True(await WithDbAsync(factory, db => db.Partners.AnyAsync(p => p.Id == used.Id)));
        Assert.Equal(1, await WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => e.Subject == $"partner {partner.Id}" && e.Action == AuditActions.PartnerDeleted)));
        var audited = await WithDbAsync(factory, db => db.AuditEntries.Where(e => e.Subject == $"partner {partner.Id}" || e.Subject == $"partner {used.Id}").Select(e => e.Action + " " + e.Detail).ToListAsync());
        Assert.Contains(audited, a => a.StartsWith(AuditActions.PartnerCreated + " Counselling", StringComparison.Ordinal));
        Assert.Contains(audited, a => a.StartsWith(AuditActions.PartnerUpdated, StringComparison.Ordinal) && a.Contains("regions=all", StringComparison.Ordinal));
        Assert.Contains(AuditActions.PartnerDeleted + " Deleted", audited);
        Assert.Contains(AuditActions.PartnerDeleted + " HasHistory", audited);
    }

    [Fact]
    public async Task Admin_LinksStaffToTheirOrganisation_AndOnlyAdminsManagePartners()
    {
        var partner = await AddPartnerAsync(factory, PartnerType.Police, "lappi");
        var officer = await StaffAccounts.CreateAsync(factory, StaffRoles.Police);
        var officerId = await WithDbAsync(factory, db => db.Users.Where(u => u.Email == officer.Email).Select(u => u.Id).SingleAsync());
        var admin = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Admin);
        var users = await admin.GetPageAsync("/staff/users");

        using (var linked = await admin.SubmitAsync(users, $"/staff/users/{officerId}/partner", new Dictionary<string, string?> { ["partnerId"] = partner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
        {
            Assert.Equal(HttpStatusCode.Redirect, linked.StatusCode);
        }

        Assert.Equal(partner.Id, await WithDbAsync(factory, db => db.Users.Where(u => u.Id == officerId).Select(u => u.PartnerId).SingleAsync()));
        Assert.Equal(partner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), (await admin.GetPageAsync("/staff/users")).QuerySelector($"[data-testid=user-row][data-email='{officer.Email}'] option[selected]")?.GetAttribute("value"));
        // An organisation deleted in another tab, or a value that is no number: a message, and the link kept (never read as "none").
        foreach (var wrong in new[] { "999999", "abc", "99999999999999999999" })
        {
            using var unknown = await admin.SubmitAsync(users, $"/staff/users/{officerId}/partner", new Dictionary<string, string?> { ["partnerId"] = wrong });
            Assert.Equal(HttpStatusCode.Conflict, unknown.StatusCode);
            Assert.Contains("not one the portal has", (await HtmlForms.ParseAsync(unknown)).QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
            Assert.Equal(partner.Id, await WithDbAsync(factory, db => db.Users.Where(u => u.Id == officerId).Select(u => u.PartnerId).SingleAsync()));
        }

        Assert.Equal(1, await WithDbAsync(factory, db => db.AuditEntries.CountAsync(e => e.Action == AuditActions.StaffPartnerSet && e.Subject == officerId)));

        var officerClient = await StaffAccounts.SignInAsync(factory, officer);
        Assert.Equal(partner.Name, (await officerClient.GetPageAsync("/partner/referrals")).QuerySelector("[data-testid=partner-name]")?.TextContent.Split(" · ")[0]);
        foreach (var role in new[] { StaffRoles.Supervisor, StaffRoles.Police })
        {
            var client = role == StaffRoles.Police ? officerClient : await StaffAccounts.SignedInClientAsync(factory, role);
            using var denied = await client.GetAsync("/admin/partners");
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            Assert.Contains("/account/denied", denied.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
    }
}
