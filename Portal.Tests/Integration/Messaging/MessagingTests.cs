using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Email;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Messaging;
using Portal.Tests.Support;

namespace Portal.Tests.Integration.Messaging;

/// <summary>
/// Secure messages between a case's volunteer and the victim, through the real pages: sealed at
/// rest, audited, and an email that says only "there is an update" through a real SMTP server.
/// </summary>
public abstract class MessagingTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    [Fact]
    public async Task Conversation_ReachesBothSides_SealedAtRest_AndAudited()
    {
        var contact = Recipient();
        var (victim, caseId) = await NewCaseAsync(contact);
        var volunteer = await ClaimAsync(caseId);
        var text = $"Hello, I am the volunteer on your case {Guid.NewGuid():N}.";

        using (var sent = await SendAsStaffAsync(volunteer, caseId, text))
        {
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
            Assert.Equal($"/staff/cases/{caseId}?sent=1#messages", sent.Headers.Location?.OriginalString);
        }

        Assert.Equal(1, await RunNotificationsAsync(caseId));

        // The email says there is an update and links to the receipt page; nothing from the case.
        var mail = Assert.Single(await TestMailbox.Smtp.WaitForAsync(contact));
        var reference = await ReferenceAsync(caseId);
        Assert.Contains("/status/open", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(text, mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(reference, mail.TextBody + mail.Subject, StringComparison.Ordinal);

        var status = await victim.GetPageAsync("/status");
        Assert.Contains(text, status.QuerySelector("[data-testid=conversation]")?.TextContent, StringComparison.Ordinal);
        var reply = $"Thank you, here is more {Guid.NewGuid():N}";
        using (var replied = await victim.SubmitAsync(status, "/status/messages", new Dictionary<string, string?> { ["Body"] = reply }))
        {
            Assert.Equal("/status?sent=1#messages", replied.Headers.Location?.OriginalString);
        }

        var casePage = await volunteer.GetPageAsync($"/staff/cases/{caseId}");
        var conversation = casePage.QuerySelectorAll("[data-testid=message]").Select(m => m.TextContent).ToList();
        Assert.Equal(2, conversation.Count);
        Assert.Contains(text, conversation[0], StringComparison.Ordinal);
        Assert.Contains("read by the victim", conversation[0], StringComparison.Ordinal);
        Assert.Contains(reply, conversation[1], StringComparison.Ordinal);

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var stored = await db.CaseMessages.AsNoTracking().Where(m => m.CaseId == caseId).OrderBy(m => m.Id).ToListAsync();
        Assert.Equal([MessageDirection.ToVictim, MessageDirection.FromVictim], stored.Select(m => m.Direction));
        Assert.All(stored, m => Assert.Equal(-1, IndexOf(m.BodyEnvelope, text)));
        Assert.All(stored, m => Assert.Equal(-1, IndexOf(m.BodyEnvelope, reply)));
        Assert.NotNull(stored[0].ReadAt);
        var answered = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == caseId);
        Assert.Equal(stored[0].SentAt, answered.FirstResponseAt);
        Assert.NotNull(stored[0].NotifiedAt);
        Assert.False(stored[0].NotificationPending);

        var audit = await db.AuditEntries.AsNoTracking().Where(e => e.CaseId == caseId).ToListAsync();
        var staffSent = Assert.Single(audit, e => e.Action == AuditActions.MessageSent);
        Assert.Equal(PortalFactory.ClientAddress.ToString(), staffSent.IpAddress);
        Assert.Equal(stored[0].Id.ToString(), staffSent.Subject);
        var victimSent = Assert.Single(audit, e => e.Action == AuditActions.MessageReceived);
        Assert.Equal(AuditActor.Victim, victimSent.ActorKind);
        Assert.Null(victimSent.IpAddress);
        Assert.Single(audit, e => e.Action == AuditActions.VictimNotified);
        Assert.DoesNotContain(factory.Logs.Lines, m => m.Contains(text, StringComparison.Ordinal) || m.Contains(reply, StringComparison.Ordinal) || m.Contains(contact, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnreadUpdate_IsEmailedOnce_UntilTheVictimHasLooked()
    {
        var contact = Recipient();
        var (victim, caseId) = await NewCaseAsync(contact);
        var volunteer = await ClaimAsync(caseId);

        (await SendAsStaffAsync(volunteer, caseId, "First message")).Dispose();
        (await SendAsStaffAsync(volunteer, caseId, "Second message, still unread")).Dispose();
        await RunNotificationsAsync(caseId);
        Assert.Single(await TestMailbox.Smtp.WaitForAsync(contact));

        await victim.GetPageAsync("/status");
        (await SendAsStaffAsync(volunteer, caseId, "Third message, after the victim looked")).Dispose();
        await RunNotificationsAsync(caseId);
        Assert.Equal(2, (await TestMailbox.Smtp.WaitForAsync(contact, count: 2)).Count);
    }

    [Fact]
    public async Task AReplyAfterTheCaseWasDecided_IsListedUntilStaffReadIt()
    {
        var (victim, caseId) = await NewCaseAsync(contactEmail: null);
        var volunteer = await ClaimAsync(caseId);
        var decisionPage = await volunteer.GetPageAsync($"/staff/cases/{caseId}");
        (await volunteer.SubmitAsync(decisionPage, $"/staff/cases/{caseId}/decision", new Dictionary<string, string?> { ["route"] = "InformationOnly" })).Dispose();

        var status = await victim.GetPageAsync("/status");
        (await victim.SubmitAsync(status, "/status/messages", new Dictionary<string, string?> { ["Body"] = "One more question after you closed it" })).Dispose();
        var reference = (await victim.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;

        var other = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var unread = await other.GetPageAsync("/staff/messages");
        var row = unread.QuerySelector($"[data-testid=unread-row][data-reference='{reference}']");
        Assert.NotNull(row);
        Assert.Contains("Closed", row.TextContent, StringComparison.Ordinal);

        // The one who decided may still answer; opening the case marks the reply read.
        var casePage = await volunteer.GetPageAsync($"/staff/cases/{caseId}");
        Assert.NotNull(casePage.QuerySelector("[data-testid=message-form]"));
        Assert.Null((await other.GetPageAsync($"/staff/cases/{caseId}")).QuerySelector("[data-testid=message-form]"));
        Assert.Null((await other.GetPageAsync("/staff/messages")).QuerySelector($"[data-testid=unread-row][data-reference='{reference}']"));
        using var answered = await SendAsStaffAsync(volunteer, caseId, "Happy to help after closing too");
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
    }

    [Fact]
    public async Task PortalOnlyContact_GetsNoEmail()
    {
        var (_, caseId) = await NewCaseAsync(contactEmail: null);
        var volunteer = await ClaimAsync(caseId);
        (await SendAsStaffAsync(volunteer, caseId, "Only on the portal")).Dispose();

        await using var scope = factory.Services.CreateAsyncScope();
        var message = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CaseMessages.AsNoTracking().SingleAsync(m => m.CaseId == caseId);
        Assert.False(message.NotificationPending);
        Assert.Null(message.NotifiedAt);
    }

    [Fact]
    public async Task SomeoneElse_CannotWrite_AndBadInputStoresNothing()
    {
        var (_, caseId) = await NewCaseAsync(contactEmail: null);
        var holder = await ClaimAsync(caseId);
        var other = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var otherPage = await other.GetPageAsync($"/staff/cases/{caseId}");
        Assert.Null(otherPage.QuerySelector("[data-testid=message-form]"));
        var token = otherPage.QuerySelector("input[name=__af]")?.GetAttribute("value") ?? "";

        using (var refused = await other.PostAsync($"/staff/cases/{caseId}/messages", new FormUrlEncodedContent(new Dictionary<string, string> { ["__af"] = token, ["Body"] = "Not my case" })))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            var page = await HtmlForms.ParseAsync(refused);
            Assert.Contains("Someone else holds this case", page.QuerySelector("[data-testid=case-message]")?.TextContent, StringComparison.Ordinal);
        }

        // Refused before the handler (nothing else recorded), the case shown again is recorded as a view.
        var holderPage = await holder.GetPageAsync($"/staff/cases/{caseId}");
        var views = await ViewsAsync(caseId);
        using (var empty = await holder.SubmitAsync(holderPage, $"/staff/cases/{caseId}/messages", new Dictionary<string, string?> { ["Body"] = "   " }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
            Assert.Equal("Write a message.", (await HtmlForms.ParseAsync(empty)).QuerySelector("#Body-error")?.TextContent);
        }

        Assert.Equal(views + 1, await ViewsAsync(caseId));

        var tooLong = new string('x', SendMessage.MaxLength + 1);
        using (var rejected = await SendAsStaffAsync(holder, caseId, tooLong))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, rejected.StatusCode);
            var page = await HtmlForms.ParseAsync(rejected);
            Assert.Equal("A message is at most 5,000 characters.", page.QuerySelector("#Body-error")?.TextContent);
            Assert.Equal(tooLong, page.QuerySelector("#Body")?.TextContent);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CaseMessages.AnyAsync(m => m.CaseId == caseId));
    }

    [Fact]
    public async Task AMessageIdFromAnotherCase_Answers404_AndIsAuditedAsADenial()
    {
        var (_, caseId) = await NewCaseAsync(contactEmail: null);
        var (_, otherCaseId) = await NewCaseAsync(contactEmail: null);
        var volunteer = await ClaimAsync(caseId);
        (await SendAsStaffAsync(volunteer, caseId, "Message on the first case")).Dispose();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var messageId = await db.CaseMessages.Where(m => m.CaseId == caseId).Select(m => m.Id).SingleAsync();

        var own = await volunteer.GetPageAsync($"/staff/cases/{caseId}/messages/{messageId}");
        Assert.Equal("Message on the first case", own.QuerySelector("[data-testid=message-body]")?.TextContent);

        using var crossed = await volunteer.GetAsync($"/staff/cases/{otherCaseId}/messages/{messageId}");
        Assert.Equal(HttpStatusCode.NotFound, crossed.StatusCode);
        var denial = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.CaseId == otherCaseId && e.Action == AuditActions.AccessDenied);
        Assert.Equal(messageId.ToString(), denial.Subject);
        Assert.Single(await db.AuditEntries.AsNoTracking().Where(e => e.CaseId == caseId && e.Action == AuditActions.MessageViewed).ToListAsync());
    }

    [Fact]
    public async Task TheSameForm_SentAgain_LeavesOneMessage_AndOneEntry_OnBothSides()
    {
        var (victim, caseId) = await NewCaseAsync(contactEmail: null);
        var volunteer = await ClaimAsync(caseId);

        // The answer to the first send was lost; the browser (or a second press of Send) posts the same form again.
        var staffPage = await volunteer.GetPageAsync($"/staff/cases/{caseId}");
        var staffText = $"We have your report {Guid.NewGuid():N}.";
        foreach (var attempt in Enumerable.Range(0, 2))
        {
            using var sent = await volunteer.SubmitAsync(staffPage, $"/staff/cases/{caseId}/messages", new Dictionary<string, string?> { ["Body"] = staffText });
            Assert.Equal((HttpStatusCode.Redirect, $"/staff/cases/{caseId}?sent=1#messages"), (sent.StatusCode, sent.Headers.Location?.OriginalString));
        }

        var statusPage = await victim.GetPageAsync("/status");
        var reply = $"Thank you {Guid.NewGuid():N}";
        foreach (var attempt in Enumerable.Range(0, 2))
        {
            using var replied = await victim.SubmitAsync(statusPage, "/status/messages", new Dictionary<string, string?> { ["Body"] = reply });
            Assert.Equal("/status?sent=1#messages", replied.Headers.Location?.OriginalString);
        }

        // The same page kept open, its text changed and sent: a new message.
        var edited = reply + " and one more thing";
        using (var again = await victim.SubmitAsync(statusPage, "/status/messages", new Dictionary<string, string?> { ["Body"] = edited }))
        {
            Assert.Equal("/status?sent=1#messages", again.Headers.Location?.OriginalString);
        }

        // A post made by hand with a form id that is none is simply a message, not an error.
        using (var handMade = await victim.SubmitAsync(await victim.GetPageAsync("/status"), "/status/messages", new Dictionary<string, string?> { ["Body"] = "By hand", ["SubmissionId"] = "not-a-form-id" }))
        {
            Assert.Equal("/status?sent=1#messages", handMade.Headers.Location?.OriginalString);
        }

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var cipher = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>();
        var stored = await db.CaseMessages.AsNoTracking().Where(m => m.CaseId == caseId).OrderBy(m => m.Id).ToListAsync();
        Assert.Equal([staffText, reply, edited, "By hand"], stored.Select(m => cipher.OpenString(m.BodyEnvelope)));
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.MessageSent));
        Assert.Equal(3, await db.AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.MessageReceived));
        var conversation = (await volunteer.GetPageAsync($"/staff/cases/{caseId}")).QuerySelectorAll("[data-testid=message]");
        Assert.Equal(4, conversation.Length);
    }

    [Fact]
    public async Task TwinPosts_OfOneForm_AtTheSameMoment_LeaveOneMessage()
    {
        var (_, caseId) = await NewCaseAsync(contactEmail: null);
        var request = new SendMessage($"Sent twice at once {Guid.NewGuid():N}", Guid.NewGuid().ToString());
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<SendVictimMessageHandler>().HandleAsync(caseId, request, CancellationToken.None);
        }));

        Assert.All(results, r => Assert.Equal(SendOutcome.Sent, r.Outcome));
        Assert.Single(results.Select(r => r.MessageId).Distinct());
        Assert.Single(results, r => !r.Resent);
        await using var check = factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(1, await db.CaseMessages.CountAsync(m => m.CaseId == caseId));
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.MessageReceived));
    }

    [Fact]
    public async Task AVictimFlood_IsRefusedWithAClearMessage()
    {
        var (victim, caseId) = await NewCaseAsync(contactEmail: null);
        for (var i = 0; i < SendVictimMessageHandler.MaxPerHour; i++)
        {
            var page = await victim.GetPageAsync("/status");
            using var ok = await victim.SubmitAsync(page, "/status/messages", new Dictionary<string, string?> { ["Body"] = $"Message {i}" });
            Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        }

        var status = await victim.GetPageAsync("/status");
        using var refused = await victim.SubmitAsync(status, "/status/messages", new Dictionary<string, string?> { ["Body"] = "One too many" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("many messages in a short time", (await HtmlForms.ParseAsync(refused)).QuerySelector("#Body-error")?.TextContent, StringComparison.Ordinal);

        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal(SendVictimMessageHandler.MaxPerHour, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CaseMessages.CountAsync(m => m.CaseId == caseId));

        // An hour later the victim can write again (the session cookie would have lapsed by then, so straight to the handler).
        factory.Clock.Advance(TimeSpan.FromMinutes(61));
        var accepted = await scope.ServiceProvider.GetRequiredService<SendVictimMessageHandler>().HandleAsync(caseId, new SendMessage("After an hour"), CancellationToken.None);
        Assert.Equal(SendOutcome.Sent, accepted.Outcome);
    }

    [Fact]
    public async Task AVictimFlood_AllAtOnce_KeepsExactlyTheHoursLimit()
    {
        var (_, caseId) = await NewCaseAsync(contactEmail: null);
        var results = await Task.WhenAll(Enumerable.Range(0, 2 * SendVictimMessageHandler.MaxPerHour).Select(async i =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<SendVictimMessageHandler>().HandleAsync(caseId, new SendMessage($"At once {i}", Guid.NewGuid().ToString()), CancellationToken.None);
        }));

        Assert.Equal(SendVictimMessageHandler.MaxPerHour, results.Count(r => r.Outcome == SendOutcome.Sent));
        Assert.Equal(SendVictimMessageHandler.MaxPerHour, results.Count(r => r.Outcome == SendOutcome.TooMany));
        await using var check = factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<PortalDbContext>();
        Assert.Equal(SendVictimMessageHandler.MaxPerHour, await db.CaseMessages.CountAsync(m => m.CaseId == caseId));
        Assert.Equal(SendVictimMessageHandler.MaxPerHour, await db.AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.MessageReceived));
    }

    [Fact]
    public async Task TheSameNewReplyForm_SentAgainOrTwiceAtOnce_CreatesOneReply_AndAnEditedResendAnother()
    {
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var form = await supervisor.GetPageAsync("/staff/canned-responses/new");
        var title = $"Twice {Guid.NewGuid():N}"[..30];
        var fields = new Dictionary<string, string?> { ["Title"] = title, ["BodyEn"] = "Keep the email.", ["BodyFi"] = "Säilytä viesti.", ["BodySv"] = "Spara mejlet." };

        var posts = new List<HttpResponseMessage> { await supervisor.SubmitAsync(form, "/staff/canned-responses/new", fields) };
        posts.AddRange(await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => supervisor.SubmitAsync(form, "/staff/canned-responses/new", fields))));
        Assert.All(posts, p => Assert.Equal("/staff/canned-responses?saved=1", p.Headers.Location?.OriginalString));
        posts.ForEach(p => p.Dispose());

        Assert.Equal(1, await factory.QueryAsync(db => db.CannedResponses.CountAsync(r => r.Title == title)));
        var id = await factory.QueryAsync(db => db.CannedResponses.Where(r => r.Title == title).Select(r => r.Id).SingleAsync());
        Assert.Equal(1, await factory.QueryAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditActions.CannedResponseSaved && a.Subject == id.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        fields["BodyEn"] = "Keep the email and its headers.";
        using (var edited = await supervisor.SubmitAsync(form, "/staff/canned-responses/new", fields))
        {
            Assert.Equal("/staff/canned-responses?saved=1", edited.Headers.Location?.OriginalString);
        }

        Assert.Equal(2, await factory.QueryAsync(db => db.CannedResponses.CountAsync(r => r.Title == title)));
    }

    [Fact]
    public async Task CannedResponses_AreManagedBySupervisors_AndStartAMessageInTheVictimsLanguage()
    {
        var supervisor = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Supervisor);
        var form = await supervisor.GetPageAsync("/staff/canned-responses/new");
        var title = $"Do not pay {Guid.NewGuid():N}"[..40];
        using (var incomplete = await supervisor.SubmitAsync(form, "/staff/canned-responses/new", new Dictionary<string, string?> { ["Title"] = title, ["BodyEn"] = "Please do not pay.", ["BodySv"] = "Betala inte." }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, incomplete.StatusCode);
            Assert.Equal("Write the Finnish text.", (await HtmlForms.ParseAsync(incomplete)).QuerySelector("#BodyFi-error")?.TextContent);
        }

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CannedResponses.AnyAsync(r => r.Title == title));
        }

        using (var saved = await supervisor.SubmitAsync(form, "/staff/canned-responses/new", new Dictionary<string, string?> { ["Title"] = title, ["BodyEn"] = "Please do not pay.", ["BodyFi"] = "Älä maksa.", ["BodySv"] = "Betala inte." }))
        {
            Assert.Equal("/staff/canned-responses?saved=1", saved.Headers.Location?.OriginalString);
        }

        int id;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            id = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CannedResponses.Where(r => r.Title == title).Select(r => r.Id).SingleAsync();
        }

        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        using (var forbidden = await volunteer.GetAsync("/staff/canned-responses"))
        {
            Assert.Equal(HttpStatusCode.Redirect, forbidden.StatusCode);
            Assert.Contains("/account/denied", forbidden.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        var answers = ReportAnswers.Valid();
        answers["PreferredLanguage"] = "fi";
        var (_, caseId) = await NewCaseAsync(contactEmail: null, answers);
        var holder = await ClaimAsync(caseId);
        var prefilled = await holder.GetPageAsync($"/staff/cases/{caseId}?canned={id}");
        Assert.Equal("Älä maksa.", prefilled.QuerySelector("[data-testid=message-form] textarea")?.TextContent);

        var edit = await supervisor.GetPageAsync($"/staff/canned-responses/{id}");
        (await supervisor.SubmitAsync(edit, $"/staff/canned-responses/{id}", new Dictionary<string, string?> { ["BodyFi"] = "Älä maksa kiristäjälle." })).Dispose();
        Assert.Equal("Älä maksa kiristäjälle.", (await holder.GetPageAsync($"/staff/cases/{caseId}?canned={id}")).QuerySelector("[data-testid=message-form] textarea")?.TextContent);

        var list = await supervisor.GetPageAsync("/staff/canned-responses");
        using (var deleted = await supervisor.SubmitAsync(list, $"/staff/canned-responses/{id}/delete", new Dictionary<string, string?>()))
        {
            Assert.Equal("/staff/canned-responses?deleted=1", deleted.Headers.Location?.OriginalString);
        }

        // A second click lands where the first did; a change from a tab opened before keeps its words for a new reply.
        using (var again = await supervisor.SubmitAsync(list, $"/staff/canned-responses/{id}/delete", new Dictionary<string, string?>()))
        {
            Assert.Equal("/staff/canned-responses?deleted=1", again.Headers.Location?.OriginalString);
        }

        using (var stale = await supervisor.SubmitAsync(edit, $"/staff/canned-responses/{id}", new Dictionary<string, string?> { ["BodyFi"] = "Kirjoitettu toisessa välilehdessä." }))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            var page = await HtmlForms.ParseAsync(stale);
            Assert.Contains("This prepared reply was deleted", page.QuerySelector(".error-summary")?.TextContent, StringComparison.Ordinal);
            Assert.Equal("Kirjoitettu toisessa välilehdessä.", page.QuerySelector("#BodyFi")?.TextContent);
            Assert.NotNull(page.QuerySelector("form[action^='/staff/canned-responses/new']"));
        }

        var afterDelete = await supervisor.GetPageAsync("/staff/canned-responses?deleted=1");
        Assert.NotNull(afterDelete.QuerySelector("[data-testid=canned-deleted]"));
        Assert.Null(afterDelete.QuerySelector("[data-testid=canned-saved]"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.False(await db.CannedResponses.AnyAsync(r => r.Id == id));
            var changes = await db.AuditEntries.AsNoTracking().Where(e => e.Subject == id.ToString() && (e.Action == AuditActions.CannedResponseSaved || e.Action == AuditActions.CannedResponseDeleted)).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
            Assert.Equal([AuditActions.CannedResponseSaved, AuditActions.CannedResponseSaved, AuditActions.CannedResponseDeleted], changes);
        }
    }

    [Fact]
    public async Task AStaffMessage_LeavesItsUpdateEmailToTheJob_WhichSendsItOnce()
    {
        var contact = Recipient();
        var (_, caseId) = await NewCaseAsync(contact);
        var volunteer = await ClaimAsync(caseId);
        using (var sent = await SendAsStaffAsync(volunteer, caseId, "Kept now, told by the job"))
        {
            Assert.Equal($"/staff/cases/{caseId}?sent=1#messages", sent.Headers.Location?.OriginalString);
        }

        // The send keeps the message and its pending email; sending it is the job's alone (a send
        // of its own went twice whenever the job ran at the same moment).
        Assert.True(await factory.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.CaseId == caseId && m.NotificationPending && m.NotifiedAt == null)));
        Assert.Empty(TestMailbox.Smtp.To(contact));
        Assert.Empty(await NotifiedEntriesAsync(caseId));

        Assert.Equal(1, await RunNotificationsAsync(caseId));
        Assert.Equal(0, await RunNotificationsAsync(caseId));
        Assert.Single(await TestMailbox.Smtp.WaitForAsync(contact));
        Assert.Single(await NotifiedEntriesAsync(caseId));
        Assert.False(await factory.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.CaseId == caseId && m.NotificationPending)));
    }

    [Fact]
    public async Task TwoNotificationRunsReadingTheSamePendingEmail_RecordItOnce_ForAMessageAndForAForwardedFile()
    {
        var messaged = Recipient();
        var (_, messageCase) = await NewCaseAsync(messaged);
        var forwardedTo = Recipient();
        var (_, fileCase) = await NewCaseAsync(forwardedTo);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            // A message and a file forwarded to the case's address, each leaving its email pending.
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            db.CaseMessages.Add(new CaseMessage
            {
                CaseId = messageCase,
                Direction = MessageDirection.ToVictim,
                BodyEnvelope = scope.ServiceProvider.GetRequiredService<EnvelopeCipher>().SealString("Read by two runs"),
                SentAt = factory.Clock.GetUtcNow().UtcDateTime,
                NotificationPending = true,
            });
            await db.SaveChangesAsync();
            var forwarded = new AddEvidence(fileCase, "forwarded.eml", "message/rfc822", EvidenceSource.Forwarded) { NotifyVictim = true };
            await using var content = new MemoryStream(Encoding.UTF8.GetBytes(EvidenceUploads.SampleEmail($"forwarded {Guid.NewGuid():N}")));
            Assert.IsType<AddEvidenceResult.Stored>(await scope.ServiceProvider.GetRequiredService<AddEvidenceHandler>().HandleAsync(forwarded, content, CancellationToken.None));
        }

        foreach (var (caseId, contact) in new[] { (messageCase, messaged), (fileCase, forwardedTo) })
        {
            await TwoRunsAtOnceAsync(caseId);

            // The email went twice (the price of sending before marking); the trail says so once.
            Assert.Equal(2, (await TestMailbox.Smtp.WaitForAsync(contact, count: 2)).Count);
            Assert.Single(await NotifiedEntriesAsync(caseId));
        }

        Assert.False(await factory.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.CaseId == messageCase && m.NotificationPending)));
        Assert.False(await factory.QueryAsync(db => db.EvidenceFiles.AnyAsync(e => e.CaseId == fileCase && e.NotificationPending)));
    }

    /// <summary>
    /// Two notification runs for a case at once, in the order that went wrong: the second reads the
    /// pending email while the first is sending it, sends it too and marks it first.
    /// </summary>
    private async Task TwoRunsAtOnceAsync(Guid caseId)
    {
        await using var first = factory.Services.CreateAsyncScope();
        await using var second = factory.Services.CreateAsyncScope();
        var secondRun = second.ServiceProvider.GetRequiredService<NotifyVictimsHandler>();
        var sender = new SenderRunningFirst(factory.Services.GetRequiredService<IEmailSender>(), async () => Assert.Equal(1, await secondRun.HandleAsync(caseId, CancellationToken.None)));
        var services = first.ServiceProvider;
        var firstRun = new NotifyVictimsHandler(
            services.GetRequiredService<PortalDbContext>(), services.GetRequiredService<EnvelopeCipher>(), services.GetRequiredService<EmailComposer>(),
            sender, services.GetRequiredService<AuditTrail>(), factory.Clock);
        Assert.Equal(1, await firstRun.HandleAsync(caseId, CancellationToken.None));
    }

    protected static string Recipient() => $"victim-{Guid.NewGuid():N}@test.example";

    /// <summary>What the notification job does for one case when a send nudges it (these portals run no jobs); returns the emails sent.</summary>
    protected async Task<int> RunNotificationsAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NotifyVictimsHandler>().HandleAsync(caseId, CancellationToken.None);
    }

    private Task<List<AuditEntry>> NotifiedEntriesAsync(Guid caseId) =>
        factory.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.CaseId == caseId && e.Action == AuditActions.VictimNotified).ToListAsync());

    protected async Task<(HttpClient Victim, Guid CaseId)> NewCaseAsync(string? contactEmail, Dictionary<string, string?>? answers = null)
    {
        answers ??= ReportAnswers.Valid();
        if (contactEmail is not null)
        {
            answers["ContactPreference"] = "Email";
            answers["ContactEmail"] = contactEmail;
        }

        var (client, _) = await EvidenceUploads.NewCaseAsync(factory, answers);
        var reference = (await client.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;
        await using var scope = factory.Services.CreateAsyncScope();
        var caseId = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync();
        return (client, caseId);
    }

    protected async Task<HttpClient> ClaimAsync(Guid caseId)
    {
        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await volunteer.GetPageAsync("/staff/queue");
        using var claimed = await volunteer.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>());
        Assert.Equal(HttpStatusCode.Redirect, claimed.StatusCode);
        return volunteer;
    }

    private async Task<int> ViewsAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.CaseViewed);
    }

    protected static async Task<HttpResponseMessage> SendAsStaffAsync(HttpClient staff, Guid caseId, string body)
    {
        var page = await staff.GetPageAsync($"/staff/cases/{caseId}");
        return await staff.SubmitAsync(page, $"/staff/cases/{caseId}/messages", new Dictionary<string, string?> { ["Body"] = body });
    }

    private async Task<string> ReferenceAsync(Guid caseId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Cases.Where(c => c.Id == caseId).Select(c => c.Reference).SingleAsync();
    }

    private static int IndexOf(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));
}

public sealed class SmtpSqlitePortalFactory : SqlitePortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.SmtpSettings;
}

public sealed class SmtpPostgresPortalFactory : PostgresPortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => TestMailbox.SmtpSettings;
}

public sealed class SqliteMessagingTests(SmtpSqlitePortalFactory factory) : MessagingTests<SmtpSqlitePortalFactory>(factory);

public sealed class PostgresMessagingTests(SmtpPostgresPortalFactory factory) : MessagingTests<SmtpPostgresPortalFactory>(factory);

/// <summary>
/// An SMTP server that is down when the message is sent, and comes back: the message is kept and
/// shown as sent, its email waits, and the first run of the job after the server is back sends it once.
/// </summary>
public sealed class MessagingWithSmtpDownTests(MessagingWithSmtpDownTests.Factory factory) : IClassFixture<MessagingWithSmtpDownTests.Factory>
{
    public sealed class Factory : SqlitePortalFactory
    {
        private bool smtpStopped;

        public SwitchableSmtp Smtp { get; } = new();

        protected override IEnumerable<KeyValuePair<string, string?>> Settings => Smtp.Settings;

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            if (!smtpStopped)
            {
                smtpStopped = true;
                await Smtp.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Message_IsKeptAndShownAsSent_AndItsEmailGoesOnce_WhenTheServerIsBack()
    {
        var contact = $"victim-{Guid.NewGuid():N}@test.example";
        var answers = ReportAnswers.Valid();
        answers["ContactPreference"] = "Email";
        answers["ContactEmail"] = contact;
        var (victim, _) = await EvidenceUploads.NewCaseAsync(factory, answers);
        var reference = (await victim.GetPageAsync("/status")).QuerySelector("[data-testid=reference]")?.TextContent;
        var caseId = await factory.QueryAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());

        var volunteer = await StaffAccounts.SignedInClientAsync(factory, StaffRoles.Volunteer);
        var queue = await volunteer.GetPageAsync("/staff/queue");
        (await volunteer.SubmitAsync(queue, $"/staff/queue/{caseId}/claim", new Dictionary<string, string?>())).Dispose();
        var page = await volunteer.GetPageAsync($"/staff/cases/{caseId}");
        using (var sent = await volunteer.SubmitAsync(page, $"/staff/cases/{caseId}/messages", new Dictionary<string, string?> { ["Body"] = "Kept despite the mail server" }))
        {
            Assert.Equal($"/staff/cases/{caseId}?sent=1#messages", sent.Headers.Location?.OriginalString);
        }

        var after = await volunteer.GetPageAsync($"/staff/cases/{caseId}?sent=1");
        Assert.Equal("Your message was sent.", after.QuerySelector("[data-testid=case-message]")?.TextContent.Trim());
        Assert.Contains("update email not sent yet", after.QuerySelector("[data-testid=message]")?.TextContent, StringComparison.Ordinal);
        Assert.Contains("Kept despite the mail server", (await victim.GetPageAsync("/status")).QuerySelector("[data-testid=conversation]")?.TextContent, StringComparison.Ordinal);

        // A run while the server is down fails (so the engine retries it) and leaves the email pending.
        await Assert.ThrowsAsync<EmailDeliveryException>(RunNotificationsAsync);
        Assert.True(await PendingAsync(caseId));
        Assert.Equal(0, await NotifiedEntriesAsync(caseId));

        // The server is back: the next run sends it, once, and records it once.
        factory.Smtp.Up();
        Assert.Equal(1, await RunNotificationsAsync());
        Assert.Equal(0, await RunNotificationsAsync());
        Assert.Single(await TestMailbox.Smtp.WaitForAsync(contact));
        Assert.Equal(1, await NotifiedEntriesAsync(caseId));
        Assert.False(await PendingAsync(caseId));
        Assert.DoesNotContain("update email not sent yet", (await volunteer.GetPageAsync($"/staff/cases/{caseId}")).QuerySelector("[data-testid=message]")?.TextContent, StringComparison.Ordinal);
    }

    private async Task<int> RunNotificationsAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NotifyVictimsHandler>().HandleAsync(null, CancellationToken.None);
    }

    private Task<bool> PendingAsync(Guid caseId) =>
        factory.QueryAsync(db => db.CaseMessages.AnyAsync(m => m.CaseId == caseId && m.NotificationPending));

    private Task<int> NotifiedEntriesAsync(Guid caseId) =>
        factory.QueryAsync(db => db.AuditEntries.CountAsync(e => e.CaseId == caseId && e.Action == AuditActions.VictimNotified));
}

/// <summary>
/// The portal's sender, running something of the test's just before its first email goes: two
/// notification runs at once, in the order the test needs, with nothing sent by a stand-in.
/// </summary>
internal sealed class SenderRunningFirst(IEmailSender inner, Func<Task> beforeFirst) : IEmailSender
{
    private int started;

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        await BeforeAsync();
        await inner.SendAsync(message, cancellationToken);
    }

    public IEmailBatch StartBatch() => new Batch(this, inner.StartBatch());

    private async Task BeforeAsync()
    {
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            await beforeFirst();
        }
    }

    private sealed class Batch(SenderRunningFirst sender, IEmailBatch inner) : IEmailBatch
    {
        public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            await sender.BeforeAsync();
            await inner.SendAsync(message, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
