using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Tests.Unit.Accounts;

public sealed class InviteStaffValidatorTests
{
    private static readonly InviteStaffValidator Validator = new(Options.Create(new IdentityOptions()));

    [Theory]
    [InlineData("new.volunteer@example.org")]
    [InlineData("  padded@example.org  ")]
    [InlineData("first+tag@sub.example.fi")]
    public void PlainAddress_IsAccepted(string email)
    {
        var result = Validator.Validate(new InviteStaff { Email = email, Roles = [StaffRoles.Volunteer], Language = "fi" });

        Assert.True(result.IsValid, string.Join("; ", result.Errors.Select(e => e.ErrorCode)));
    }

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("Name <name@example.org>")]
    [InlineData("two@at@example.org")]
    [InlineData("o'brien@example.org")] // a valid address, but not a valid Identity user name
    [InlineData("äiti@example.fi")]
    [InlineData("name@example.org (comment)")]
    [InlineData("<name@example.org>")]
    [InlineData("name@example.org, other@example.org")]
    [InlineData("name@")]
    [InlineData("@example.org")]
    [InlineData("name.@example.org")]
    [InlineData(".name@example.org")]
    [InlineData("first..last@example.org")]
    [InlineData("name@example..org")]
    [InlineData("name@example.org.")]
    public void AddressThatCannotBecomeAUserName_IsRefused(string email)
    {
        var result = Validator.Validate(new InviteStaff { Email = email, Roles = [StaffRoles.Volunteer], Language = "en" });

        Assert.Equal(["Invitation.Email.Invalid"], result.Errors.Select(e => e.ErrorCode));
    }

    [Fact]
    public void TooLongAddress_IsRefused()
    {
        var result = Validator.Validate(new InviteStaff { Email = new string('a', 250) + "@example.org", Roles = [StaffRoles.Volunteer], Language = "en" });

        Assert.Equal(["Invitation.Email.Invalid"], result.Errors.Select(e => e.ErrorCode));
    }

    [Fact]
    public void NoRole_AnUnknownRole_OrAnUnknownLanguage_AreRefused()
    {
        Assert.Equal(["Invitation.Roles.Required"], Validator.Validate(new InviteStaff { Email = "a@example.org", Roles = [], Language = "en" }).Errors.Select(e => e.ErrorCode));
        Assert.Equal(["Invitation.Roles.Required"], Validator.Validate(new InviteStaff { Email = "a@example.org", Roles = ["Root"], Language = "en" }).Errors.Select(e => e.ErrorCode));
        Assert.Equal(["Invitation.Language.Required"], Validator.Validate(new InviteStaff { Email = "a@example.org", Roles = [StaffRoles.Admin], Language = "de" }).Errors.Select(e => e.ErrorCode));
    }
}
