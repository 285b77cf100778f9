using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Crypto;
using System.Security.Cryptography;
using Portal.Core.Data;
using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Reports;

namespace Portal.Web.Demo;

public sealed class DemoOptions
{
    public bool Enabled { get; set; }
}

/// <summary>
/// Demo staff, a demo case and notices for a Development run, so the portal can be tried at once.
/// Never on outside Development unless configured, and every page then says "demo".
/// </summary>
public static class DemoSetup
{
    public const string Password = "Demo-Portal-2026";
    public const string CaseReference = "VS-DEM0-2026";
    public const string CaseReceiptKey = "DEM0-DEM0-DEM0-DEM0-DEM0-2026";

    public static readonly IReadOnlyList<(string Email, string Name, string Role)> Staff =
    [
        ("admin@portal.test", "Demo Admin", StaffRoles.Admin),
        ("supervisor@portal.test", "Demo Supervisor", StaffRoles.Supervisor),
        ("volunteer@portal.test", "Demo Volunteer", StaffRoles.Volunteer),
        ("counsellor@portal.test", "Demo Counsellor", StaffRoles.Counsellor),
        ("police@portal.test", "Demo Police", StaffRoles.Police),
        ("crisis@portal.test", "Demo Crisis Counsellor", StaffRoles.Counsellor),
    ];

    /// <summary>Partners that cover every region and language, so any referral on a fresh run finds one; and whose staff each is.</summary>
    public static readonly IReadOnlyList<(string Name, PartnerType Type, bool CrisisLine, int Capacity, string Contact, string StaffEmail)> Partners =
    [
        ("Demo Crisis Line", PartnerType.Counselling, true, 50, "crisis-line@partner.test", "crisis@portal.test"),
        ("Demo Counselling Charity", PartnerType.Counselling, false, 20, "counselling@partner.test", "counsellor@portal.test"),
        ("Demo Police Unit", PartnerType.Police, false, 100, "police-unit@partner.test", "police@portal.test"),
    ];

    /// <summary>Prepared replies a supervisor would keep for a surge, so the case view and the campaign tools can be tried at once.</summary>
    public static readonly IReadOnlyList<(string Title, string En, string Fi, string Sv)> PreparedReplies =
    [
        (
            "Do not pay; keep the email",
            "Thank you for your report. Please do not pay: paying does not stop publication and marks you as someone who pays. Keep the email and anything else you received; you can add them to your case here. We will write again when we know more.",
            "Kiitos ilmoituksestasi. Älä maksa: maksaminen ei estä julkaisemista ja merkitsee sinut maksajaksi. Säilytä sähköposti ja muu saamasi aineisto; voit lisätä ne tapaukseesi täällä. Kirjoitamme uudelleen, kun tiedämme enemmän.",
            "Tack för din anmälan. Betala inte: att betala hindrar inte publicering och märker dig som någon som betalar. Spara mejlet och allt annat du har fått; du kan lägga till dem i ditt ärende här. Vi skriver igen när vi vet mer."
        ),
        (
            "Many people received the same email",
            "The email you received was sent to many people affected by the same breach. It is not aimed at you personally. The police are investigating, and your report helps them. If you consented, we pass your report on to them.",
            "Saamasi sähköposti lähetettiin monille saman tietomurron uhreille. Se ei ole kohdistettu juuri sinuun. Poliisi tutkii asiaa, ja ilmoituksesi auttaa sitä. Jos annoit luvan, välitämme ilmoituksesi poliisille.",
            "Mejlet du fick skickades till många som drabbats av samma dataintrång. Det riktar sig inte till dig personligen. Polisen utreder saken och din anmälan hjälper dem. Om du gav ditt samtycke skickar vi din anmälan vidare till dem."
        ),
        (
            "Someone to talk to",
            "It is normal to feel frightened or ashamed after an email like this. You do not have to deal with it alone: a counsellor can talk with you. If you agreed to be referred to counselling, they will contact you in the way you chose. In an emergency call 112.",
            "On tavallista tuntea pelkoa tai häpeää tällaisen viestin jälkeen. Sinun ei tarvitse selvitä yksin: kriisityöntekijä voi keskustella kanssasi. Jos annoit luvan ohjata sinut keskusteluapuun, sinuun otetaan yhteyttä valitsemallasi tavalla. Hätätilanteessa soita 112.",
            "Det är normalt att känna rädsla eller skam efter ett sådant mejl. Du behöver inte klara det ensam: en samtalsstödjare kan prata med dig. Om du gick med på att hänvisas till samtalsstöd kontaktar de dig på det sätt du valde. Ring 112 i en nödsituation."
        ),
    ];

    public static WebApplicationBuilder AddPortalDemo(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>()
            .BindConfiguration("Demo")
            .PostConfigure(o => o.Enabled |= builder.Environment.IsDevelopment() && builder.Configuration["Demo:Enabled"] is null);
        return builder;
    }

    public static async Task SeedPortalDemoAsync(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemoOptions>>().Value.Enabled)
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PortalDbContext>();
        var users = services.GetRequiredService<UserManager<StaffUser>>();
        var clock = services.GetRequiredService<TimeProvider>();
        var now = clock.GetUtcNow().UtcDateTime;

        foreach (var (email, name, role) in Staff)
        {
            if (await users.FindByEmailAsync(email) is not null)
            {
                continue;
            }

            var user = new StaffUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, CreatedAt = now };
            var created = await users.CreateAsync(user, Password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"Demo user {email} could not be created: {string.Join(", ", created.Errors.Select(e => e.Code))}");
            }

            await users.AddToRoleAsync(user, role);
        }

        foreach (var (name, type, crisisLine, capacity, contact, staffEmail) in Partners)
        {
            var partner = await db.Partners.FirstOrDefaultAsync(p => p.Name == name);
            if (partner is null)
            {
                partner = new Partner
                {
                    Name = name,
                    Type = type,
                    IsCrisisLine = crisisLine,
                    Languages = [.. ReportOptions.Languages],
                    DailyCapacity = capacity,
                    ContactEmail = contact,
                    Active = true,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                db.Partners.Add(partner);
                await db.SaveChangesAsync();
            }

            if (await users.FindByEmailAsync(staffEmail) is { PartnerId: null } member)
            {
                member.PartnerId = partner.Id;
                await users.UpdateAsync(member);
            }
        }

        if (!await db.Cases.AnyAsync(c => c.Reference == CaseReference))
        {
            var cipher = services.GetRequiredService<EnvelopeCipher>();
            var hasher = services.GetRequiredService<ReceiptHasher>();
            db.Cases.Add(new Case
            {
                Id = Guid.CreateVersion7(),
                Reference = CaseReference,
                ReceiptHash = hasher.Hash(CaseReference, CaseReceiptKey),
                SubmissionId = Guid.CreateVersion7(),
                Status = CaseStatus.Received,
                Priority = CasePriority.Raised,
                CreatedAt = now.AddHours(-3),
                UpdatedAt = now.AddHours(-3),
                Language = "en",
                NarrativeEnvelope = cipher.SealString("Demo case: an email said my therapy notes would be published unless I paid 0.1 BTC within 24 hours."),
                EmailReceivedOn = DateOnly.FromDateTime(now.AddDays(-1)),
                SenderAddress = "ransom@extortion.example",
                AmountDemanded = 0.1m,
                Currency = "BTC",
                PaymentAddress = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
                Paid = YesNoUnsure.No,
                DataPublished = YesNoUnsure.Yes,
                BreachOrganisation = "other",
                ConsentPolice = true,
                ConsentCounselling = true,
                ContactPreference = ContactPreference.PortalOnly,
            });
        }

        await SeedCampaignCasesAsync(db, services.GetRequiredService<EnvelopeCipher>(), services.GetRequiredService<ReceiptHasher>(), now);

        if (!await db.Notices.AnyAsync())
        {
            db.Notices.Add(new Notice
            {
                Id = Guid.CreateVersion7(),
                PublishedAt = now.AddDays(-1),
                TitleEn = "Police are collecting reports of extortion emails",
                BodyEn = "If you received an email demanding money for your therapy records, **do not pay**. Keep the email and file a report here.",
                TitleFi = "Poliisi kerää ilmoituksia kiristysviesteistä",
                BodyFi = "Jos sait sähköpostin, jossa vaaditaan rahaa terapiatiedoistasi, **älä maksa**. Säilytä viesti ja tee ilmoitus täällä.",
                TitleSv = "Polisen samlar in anmälningar om utpressningsmejl",
                BodySv = "Om du har fått ett mejl som kräver pengar för dina terapiuppgifter, **betala inte**. Spara mejlet och gör en anmälan här.",
            });
        }

        if (!await db.CannedResponses.AnyAsync())
        {
            db.CannedResponses.AddRange(PreparedReplies.Select(r => new CannedResponse
            {
                Title = r.Title,
                BodyEn = r.En,
                BodyFi = r.Fi,
                BodySv = r.Sv,
                UpdatedAt = now,
            }));
        }

        await db.SaveChangesAsync();

        // A fresh run shows a campaign at once; a recurring job or a supervisor recomputes later.
        await services.GetRequiredService<RecomputeCampaignsHandler>().HandleAsync(CancellationToken.None);
    }

    /// <summary>
    /// More demo reports over the last weeks, so the dashboard has a chart and a median and the
    /// campaign pages have something to show: the first shares the demo case's wallet, the second
    /// its sender, the third the second's wallet (a campaign of four, joined transitively, one
    /// without police consent); the last two stand alone. None can be opened with a receipt.
    /// </summary>
    private static async Task SeedCampaignCasesAsync(PortalDbContext db, EnvelopeCipher cipher, ReceiptHasher hasher, DateTime now)
    {
        const string SecondWallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
        var reports = new[]
        {
            (Reference: "VS-DEM1-2026", DaysAgo: 12, Sender: "payments@extortion.example", Wallet: "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", Amount: (decimal?)0.1m, Currency: "BTC", Police: true, Status: CaseStatus.Closed, Answered: (TimeSpan?)TimeSpan.FromHours(2), Language: "en", Priority: CasePriority.Normal),
            ("VS-DEM2-2026", 8, "ransom@extortion.example", SecondWallet, 0.2m, "BTC", true, CaseStatus.Referred, TimeSpan.FromMinutes(40), "fi", CasePriority.Raised),
            ("VS-DEM3-2026", 5, null, SecondWallet, 500m, "EUR", false, CaseStatus.InTriage, null, "sv", CasePriority.High),
            ("VS-DEM4-2026", 2, "someone@unrelated.example", null, null, null, true, CaseStatus.Received, null, "fi", CasePriority.Normal),
            ("VS-DEM5-2026", 1, null, null, null, null, false, CaseStatus.Closed, TimeSpan.FromHours(5), "en", CasePriority.Normal),
        };
        foreach (var r in reports)
        {
            if (await db.Cases.AnyAsync(c => c.Reference == r.Reference))
            {
                continue;
            }

            var created = now.AddDays(-r.DaysAgo);
            var demo = new Case
            {
                Id = Guid.CreateVersion7(),
                Reference = r.Reference,
                ReceiptHash = hasher.Hash(r.Reference, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))),
                SubmissionId = Guid.CreateVersion7(),
                Status = r.Status,
                Priority = r.Priority,
                CreatedAt = created,
                UpdatedAt = created + (r.Answered ?? TimeSpan.Zero),
                Language = r.Language,
                NarrativeEnvelope = cipher.SealString("Demo report: an extortion email about therapy records."),
                EmailReceivedOn = DateOnly.FromDateTime(created.AddDays(-1)),
                SenderAddress = r.Sender,
                AmountDemanded = r.Amount,
                Currency = r.Currency,
                PaymentAddress = r.Wallet,
                Paid = YesNoUnsure.No,
                DataPublished = YesNoUnsure.Unsure,
                ConsentPolice = r.Police,
                ConsentCounselling = true,
                ContactPreference = ContactPreference.PortalOnly,
            };
            if (r.Answered is { } answered)
            {
                demo.RecordFirstResponse(created + answered);
            }

            db.Cases.Add(demo);
        }
    }
}
