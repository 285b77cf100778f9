using Portal.Core.Data;
using Portal.Core.Features.Bundles;
using Portal.Core.Features.Evidence;

namespace Portal.Tests.Unit.Bundles;

/// <summary>The names evidence files get inside police bundles and the victim's case-file ZIP.</summary>
public sealed class EvidenceArchiverTests
{
    [Theory]
    [InlineData("שלום עולם.eml", "evidence/01-file.eml")]
    [InlineData("Рэкет.eml", "evidence/01-file.eml")]
    [InlineData("恐喝.txt", "evidence/01-file.txt")]
    [InlineData(".eml", "evidence/01-file.eml")]
    [InlineData("שלום", "evidence/01-file")]
    [InlineData("viesti äöå (lainattu).eml", "evidence/01-viesti_aoa_lainattu_.eml")]
    [InlineData("Ägypten.pdf", "evidence/01-Agypten.pdf")]
    public void EntryNames_KeepTheExtension_EvenWhenNothingElseOfTheNameIsKept(string fileName, string expected)
    {
        // A name of only non-Latin letters used to become "01-eml": the extension's dot went with the trimmed "_".
        var file = new EvidenceSummary(Guid.CreateVersion7(), fileName, EvidenceKind.Email, "message/rfc822", 10, new string('0', 64), DateTime.UnixEpoch);

        var names = EvidenceArchiver.EntryNames([file], "evidence");

        Assert.Equal(expected, names[file.Id]);
    }
}
