using Portal.Core.Email;

namespace Portal.Tests.Unit.Email;

public sealed class EmailOptionsValidatorTests
{
    private static readonly EmailOptionsValidator Validator = new();

    [Fact]
    public void SecurityNone_WithoutAllowInsecure_FailsNamingTheSettingThatAllowsIt()
    {
        var result = Validator.Validate(null, new EmailOptions { Host = "relay.example", Security = EmailSecurity.None });

        Assert.True(result.Failed);
        Assert.Contains("Email:AllowInsecure=true", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Email:Security is None", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SecurityNone_WithAllowInsecureSaidExplicitly_Passes()
    {
        Assert.True(Validator.Validate(null, new EmailOptions { Host = "relay.example", Security = EmailSecurity.None, AllowInsecure = true }).Succeeded);
    }

    [Theory]
    [InlineData(EmailSecurity.Auto)]
    [InlineData(EmailSecurity.StartTls)]
    [InlineData(EmailSecurity.SslOnConnect)]
    public void TlsModes_PassWithoutAllowInsecure(EmailSecurity security)
    {
        Assert.True(Validator.Validate(null, new EmailOptions { Host = "relay.example", Security = security }).Succeeded);
    }

    [Fact]
    public void PickupDirectory_NeedsNoTlsSettings()
    {
        Assert.True(Validator.Validate(null, new EmailOptions { Security = EmailSecurity.None }).Succeeded);
    }

    [Fact]
    public void UserNameWithoutPassword_AndAMissingCertificateAuthorityFile_AreBothReported()
    {
        var result = Validator.Validate(null, new EmailOptions
        {
            Host = "relay.example",
            UserName = "portal",
            CertificateAuthorityFile = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "ca.pem"),
        });

        Assert.True(result.Failed);
        Assert.Contains("Email:Password", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Email:CertificateAuthorityFile", result.FailureMessage, StringComparison.Ordinal);
    }
}
