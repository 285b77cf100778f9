using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Crypto;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Tests.Support;
using Portal.Tests.Unit.Evidence.Email;

namespace Portal.Tests.Integration.Email;

/// <summary>An email from Outlook with winmail.dat, uploaded as evidence: what is inside is analysed like any other part.</summary>
public sealed class TnefEvidenceTests(SqlitePortalFactory factory) : IClassFixture<SqlitePortalFactory>
{
    private const string Wallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    [Fact]
    public async Task UploadedEmailWithWinmailDat_ItsTextGivesIndicators_AndItsFilesAreListedInTheSealedSummary()
    {
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n%%EOF\n");
        var tnef = new TnefBuilder().Body($"Pay 0.5 BTC to {Wallet} within 72 hours.").File("lasku.pdf", pdf).ToArray();
        var email = Encoding.UTF8.GetBytes(TnefBuilder.Email(tnef).ReplaceLineEndings("\r\n"));
        var (client, token) = await EvidenceUploads.NewCaseAsync(factory);

        using var response = await EvidenceUploads.UploadAsync(client, token, "outlook.eml", "message/rfc822", email);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(1, await EvidenceUploads.AnalysePendingAsync(factory));
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var sha256 = SHA256.HashData(email);
        var evidence = await db.EvidenceFiles.AsNoTracking().SingleAsync(e => e.Sha256 == sha256);
        var indicators = await scope.ServiceProvider.GetRequiredService<SealedIndicators>().OfFileAsync(db, evidence.Id, Enum.GetValues<IndicatorKind>(), CancellationToken.None);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.BitcoinAddress && i.Value == Wallet);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Deadline && i.Value == "72");

        var summary = EmailSummary.Open(scope.ServiceProvider.GetRequiredService<EnvelopeCipher>(), evidence.ParsedEnvelope);
        Assert.NotNull(summary);
        var unpacked = Assert.Single(summary.Attachments, a => a.UnpackedFrom == "winmail.dat");
        Assert.Equal(("lasku.pdf", Convert.ToHexStringLower(SHA256.HashData(pdf))), (unpacked.FileName, unpacked.Sha256));
        Assert.Single(summary.Attachments, a => a.FileName == "winmail.dat" && a.UnpackedFrom is null);
    }
}
