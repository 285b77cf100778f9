using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Email;
using Portal.Tests.Unit.Components;
using Portal.Web;
using Portal.Web.Evidence;

namespace Portal.Tests.Unit.Staff;

/// <summary>The email reader's warnings and a file's reading status, as staff read them on the case page.</summary>
public sealed class EmailReadingTextTests : ComponentTestContext
{
    private T In<T>(string culture, Func<IStringLocalizer, T> read)
    {
        var previous = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = new CultureInfo(culture);
            return read(Services.GetRequiredService<IStringLocalizer<SharedResource>>());
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    [Theory]
    [InlineData("fi")]
    [InlineData("sv")]
    public void EveryWarningOfAMessyEmail_IsTranslated(string culture)
    {
        var email = EmailReader.Read(Encoding.UTF8.GetBytes("""
            Received: from relay.example.net by mx.victim.example
            From: a@example.org
            From: b@example.org
            To: <<broken
            Date: someday soon
            Content-Type: multipart/mixed; charset=x-klingon

            body
            """.ReplaceLineEndings("\r\n")));
        Assert.True(email.Warnings.Count >= 4, string.Join("\n", email.Warnings));

        var translated = In(culture, t => email.Warnings.Select(w => t.EmailWarning(w)).ToList());

        Assert.All(translated.Zip(email.Warnings), pair => Assert.NotEqual(pair.Second, pair.First));
    }

    [Theory]
    [InlineData("fi", "The message has more than one From header; the first was used.", "Viestissä on useampi kuin yksi From-kenttä; niistä käytettiin ensimmäistä.")]
    [InlineData("sv", "The date of Received hop 2 could not be read.", "Datumet för Received-steg 2 kunde inte läsas.")]
    [InlineData("fi", "winmail.dat could not be read as TNEF (InvalidDataException); it was listed but not opened.", "Liitettä winmail.dat ei voitu lukea TNEF-muodossa (InvalidDataException); se on luettelossa, mutta sitä ei avattu.")]
    [InlineData("en", "Multipart parts are nested more than 8 levels deep; the inner parts were not read.", "Parts of the message are nested more than 8 levels deep; the inner parts were not read.")]
    [InlineData("fi", "A warning no one has translated yet.", "A warning no one has translated yet.")]
    public void Warning_IsSaidAgainWithItsValues(string culture, string stored, string expected)
    {
        Assert.Equal(expected, In(culture, t => t.EmailWarning(stored)));
    }

    [Fact]
    public void ForwardedInline_IsTranslated()
    {
        Assert.StartsWith("Välitetty viestin tekstissä", In("fi", t => t.EmailWarning(AnalyseEvidenceHandler.ForwardedInlineWarning)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", AnalysisState.Partial, "text,case-indicators", "Read only in part: only the start of its text was searched, the case has more indicators than are kept.")]
    [InlineData("fi", AnalysisState.Partial, "time", "Luettu vain osittain: lukeminen kesti liian kauan.")]
    [InlineData("sv", AnalysisState.Failed, "attempts", "Filen kunde inte läsas för rubriker och indikatorer. Den finns kvar i sin helhet och kan ändå öppnas.")]
    [InlineData("en", AnalysisState.Done, null, null)]
    [InlineData("en", AnalysisState.NotApplicable, null, null)]
    public void AnalysisStatus_SaysWhyAFileWasNotReadInFull(string culture, AnalysisState state, string? note, string? expected)
    {
        Assert.Equal(expected, In(culture, t => t.AnalysisStatus(state, note)));
    }
}
