using System.Globalization;
using System.Text.Json;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.CaseFile;

/// <summary>A diary entry as its form sends it: strings, so bad input comes back to the victim as they typed it.</summary>
public sealed record DiaryEntryForm
{
    public const int MaxTextLength = 4_000;

    public const decimal MaxAmount = 10_000_000m;

    /// <summary>The questions in the order the form asks them, for the order of its error summary.</summary>
    public static readonly IReadOnlyList<string> FieldOrder = [nameof(OccurredOn), nameof(Kind), nameof(Text), nameof(Amount)];

    /// <summary>yyyy-MM-dd (what a date input sends).</summary>
    public string? OccurredOn { get; init; }

    public DiaryEntryKind? Kind { get; init; }

    public string? Text { get; init; }

    /// <summary>An amount in euros, written as victims write it ("1 500,50" or "1500.50"); optional.</summary>
    public string? Amount { get; init; }

    public bool Shared { get; init; }

    /// <summary>A new entry's form id: the same form sent twice (a second click, a retry) adds one entry.</summary>
    public Guid? SubmissionId { get; init; }

    internal static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    internal static bool TryParseAmount(string? text, out decimal amount)
    {
        amount = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var compact = text.Trim().Replace(" ", "", StringComparison.Ordinal).Replace("\u00a0", "", StringComparison.Ordinal).TrimEnd('€').Trim();
        if (compact.Contains(',', StringComparison.Ordinal) && !compact.Contains('.', StringComparison.Ordinal))
        {
            compact = compact.Replace(',', '.');
        }

        return decimal.TryParse(compact, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    public static DiaryEntryForm From(DiaryEntryView entry) => new()
    {
        OccurredOn = entry.OccurredOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Kind = entry.Kind,
        Text = entry.Text,
        Amount = entry.Amount?.ToString("0.00", CultureInfo.InvariantCulture),
        Shared = entry.Shared,
    };
}

/// <summary>Error codes are resource keys; the web layer shows them in the victim's language.</summary>
public sealed class DiaryEntryFormValidator : AbstractValidator<DiaryEntryForm>
{
    public DiaryEntryFormValidator(TimeProvider clock)
    {
        RuleFor(e => e.OccurredOn)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithErrorCode("Diary.OccurredOn.Required").WithMessage("Enter the date.")
            .Must(v => DiaryEntryForm.TryParseDate(v, out _)).WithErrorCode("Diary.OccurredOn.Invalid").WithMessage("Enter the date as year-month-day.")
            .Must(v => DiaryEntryForm.TryParseDate(v, out var d) && d.Year >= 2000 && d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime.AddDays(1)))
                .WithErrorCode("Diary.OccurredOn.OutOfRange").WithMessage("The date cannot be in the future.");
        RuleFor(e => e.Kind)
            .NotNull().WithErrorCode("Diary.Kind.Required").WithMessage("Choose what the entry is about.")
            .IsInEnum().WithErrorCode("Diary.Kind.Required").WithMessage("Choose what the entry is about.");
        RuleFor(e => e.Text)
            .NotEmpty().WithErrorCode("Diary.Text.Required").WithMessage("Write what happened.")
            .MaximumLength(DiaryEntryForm.MaxTextLength).WithErrorCode("Diary.Text.TooLong").WithMessage("Please shorten the text.");
        RuleFor(e => e.Amount)
            .Must(v => DiaryEntryForm.TryParseAmount(v, out var amount) && amount >= 0 && amount <= DiaryEntryForm.MaxAmount)
            .WithErrorCode("Diary.Amount.Invalid").WithMessage("Enter the amount in euros, for example 45,50.")
            .When(e => !string.IsNullOrWhiteSpace(e.Amount));
    }
}

public sealed record DiaryEntryView(Guid Id, DateOnly OccurredOn, DiaryEntryKind Kind, string Text, decimal? Amount, bool Shared);

/// <summary>What is sealed in <see cref="DiaryEntry.Envelope"/>: everything the victim wrote.</summary>
internal sealed record DiaryContent(DiaryEntryKind Kind, string Text, decimal? Amount)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public byte[] Seal(EnvelopeCipher cipher) => cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(this, Json));

    public static DiaryContent From(EnvelopeCipher cipher, DiaryEntry entry) =>
        JsonSerializer.Deserialize<DiaryContent>(cipher.Open(entry.Envelope), Json)
            ?? throw new InvalidOperationException($"Diary entry {entry.Id} holds no content.");

    public static DiaryEntryView Open(EnvelopeCipher cipher, DiaryEntry entry)
    {
        var content = From(cipher, entry);
        return new DiaryEntryView(entry.Id, entry.OccurredOn, content.Kind, content.Text, content.Amount, entry.Shared);
    }
}

public enum DiaryOutcome
{
    Saved,
    NotFound,

    /// <summary>The diary holds as many entries as a case may keep.</summary>
    Full,

    /// <summary>The entry was this case's, and was deleted before (a second press of Delete, or another tab).</summary>
    Deleted,
}

/// <summary>A case's diary, oldest first (the order a claim or a court reads it in). Only the victim's own pages call this.</summary>
public sealed class ListDiaryHandler(PortalDbContext db, EnvelopeCipher cipher)
{
    public async Task<IReadOnlyList<DiaryEntryView>> HandleAsync(Guid caseId, CancellationToken cancellationToken) =>
        (await db.DiaryEntries.AsNoTracking()
            .Where(d => d.CaseId == caseId)
            .OrderBy(d => d.OccurredOn).ThenBy(d => d.Id)
            .ToListAsync(cancellationToken))
        .Select(d => DiaryContent.Open(cipher, d))
        .ToList();

    /// <summary>One entry of this case, or null (another case's id is simply not found).</summary>
    public async Task<DiaryEntryView?> FindAsync(Guid caseId, Guid entryId, CancellationToken cancellationToken)
    {
        var entry = await db.DiaryEntries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == entryId && d.CaseId == caseId, cancellationToken);
        return entry is null ? null : DiaryContent.Open(cipher, entry);
    }
}

/// <summary>
/// Writes a diary entry, new (no entry id) or changed: sealed before the
/// transaction, then the row and its audit entry (no content: the entry's id, and whether it is
/// shared) commit together. Only the victim holding the case writes their diary.
/// </summary>
public sealed class SaveDiaryEntryHandler(PortalDbContext db, EnvelopeCipher cipher, AuditTrail audit, IOptions<CaseFileOptions> options)
{
    public async Task<DiaryOutcome> HandleAsync(Guid caseId, Guid? entryId, DiaryEntryForm form, Actor actor, CancellationToken cancellationToken)
    {
        // The form was validated; a date that does not parse here is a caller's bug.
        if (!DiaryEntryForm.TryParseDate(form.OccurredOn, out var occurredOn))
        {
            throw new ArgumentException("The diary entry's date was not validated.", nameof(form));
        }

        decimal? amount = DiaryEntryForm.TryParseAmount(form.Amount, out var parsed) ? decimal.Round(parsed, 2) : null;
        var content = new DiaryContent(form.Kind ?? DiaryEntryKind.Note, form.Text?.Trim() ?? "", amount);
        var envelope = content.Seal(cipher);
        var written = new DiaryEntry { Id = Guid.CreateVersion7(), CaseId = caseId, OccurredOn = occurredOn, Shared = form.Shared, Envelope = envelope };
        try
        {
            return await SaveAsync(caseId, entryId, form, written, content, actor, cancellationToken);
        }
        catch (DbUpdateException) when (entryId is null && written.SubmissionId is not null)
        {
            // The same form sent twice at once: the other post added it. Any other failure (a full
            // disk) goes on as it came.
            if (await SameEntryAsync(caseId, written, content, cancellationToken) is null)
            {
                throw;
            }

            return DiaryOutcome.Saved;
        }
    }

    internal static string SharingDetail(bool shared) => shared ? "shared" : "private";

    private Task<DiaryOutcome> SaveAsync(Guid caseId, Guid? entryId, DiaryEntryForm form, DiaryEntry written, DiaryContent content, Actor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            DiaryEntry? entry;
            if (entryId is { } id)
            {
                entry = await db.DiaryEntries.FirstOrDefaultAsync(d => d.Id == id && d.CaseId == caseId, token);
                if (entry is null)
                {
                    return await audit.RecordsAsync(AuditActions.DiaryEntryDeleted, id.ToString(), caseId, token) ? DiaryOutcome.Deleted : DiaryOutcome.NotFound;
                }

                var sharingChanged = entry.Shared != form.Shared;
                entry.OccurredOn = written.OccurredOn;
                entry.Shared = form.Shared;
                entry.Envelope = written.Envelope;
                await db.SaveChangesAsync(token);
                await audit.AppendAsync(actor.Event(AuditActions.DiaryEntryChanged, caseId, id.ToString(), sharingChanged ? SharingDetail(form.Shared) : null), token);
                return DiaryOutcome.Saved;
            }

            if (form.SubmissionId is { } formId)
            {
                // Sent before with the same words: that entry is the answer. With other words (a page
                // kept open, edited and sent), a new entry without the id.
                var earlier = await EarlierAsync(caseId, formId, token);
                if (earlier is not null && Same(earlier, written, content))
                {
                    return DiaryOutcome.Saved;
                }

                written.SubmissionId = earlier is null ? formId : null;
            }

            // After the resend check: the entry that filled the diary, sent again, is still "saved".
            if (await db.DiaryEntries.CountAsync(d => d.CaseId == caseId, token) >= options.Value.MaxDiaryEntries)
            {
                return DiaryOutcome.Full;
            }

            db.DiaryEntries.Add(written);
            await db.SaveChangesAsync(token);
            await audit.AppendAsync(actor.Event(AuditActions.DiaryEntryAdded, caseId, written.Id.ToString(), form.Shared ? SharingDetail(true) : null), token);
            return DiaryOutcome.Saved;
        }, cancellationToken);

    private async Task<DiaryEntry?> SameEntryAsync(Guid caseId, DiaryEntry written, DiaryContent content, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var earlier = written.SubmissionId is { } formId ? await EarlierAsync(caseId, formId, cancellationToken) : null;
        return earlier is not null && Same(earlier, written, content) ? earlier : null;
    }

    /// <summary>The entry this case's form <paramref name="formId"/> added, if any.</summary>
    private Task<DiaryEntry?> EarlierAsync(Guid caseId, Guid formId, CancellationToken cancellationToken) =>
        db.DiaryEntries.AsNoTracking().FirstOrDefaultAsync(d => d.CaseId == caseId && d.SubmissionId == formId, cancellationToken);

    private bool Same(DiaryEntry earlier, DiaryEntry written, DiaryContent content) =>
        earlier.OccurredOn == written.OccurredOn && earlier.Shared == written.Shared && DiaryContent.From(cipher, earlier) == content;
}

/// <summary>Removes one entry of the victim's diary, with its audit entry, in one transaction.</summary>
public sealed class DeleteDiaryEntryHandler(PortalDbContext db, AuditTrail audit)
{
    public Task<DiaryOutcome> HandleAsync(Guid caseId, Guid entryId, Actor actor, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async token =>
        {
            var deleted = await db.DiaryEntries.Where(d => d.Id == entryId && d.CaseId == caseId).ExecuteDeleteAsync(token);
            if (deleted == 0)
            {
                return await audit.RecordsAsync(AuditActions.DiaryEntryDeleted, entryId.ToString(), caseId, token) ? DiaryOutcome.Deleted : DiaryOutcome.NotFound;
            }

            await audit.AppendAsync(actor.Event(AuditActions.DiaryEntryDeleted, caseId, entryId.ToString()), token);
            return DiaryOutcome.Saved;
        }, cancellationToken);
}
