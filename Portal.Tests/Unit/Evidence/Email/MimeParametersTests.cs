using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class MimeParametersTests
{
    [Fact]
    public void Parse_QuotedAndBareParameters_AreReadWithLowerCaseValueAndNames()
    {
        var value = MimeParameters.Parse("Multipart/Mixed; BOUNDARY=\"=_a;b \\\"c\\\"\"; charset=utf-8", null);

        Assert.Equal("multipart/mixed", value.Value);
        Assert.Equal("=_a;b \"c\"", value.Parameter("boundary"));
        Assert.Equal("utf-8", value.Parameter("charset"));
    }

    [Fact]
    public void Parse_Rfc2231ExtendedValue_DecodesCharsetAndPercentEscapes()
    {
        var value = MimeParameters.Parse("attachment; filename*=UTF-8''%E2%82%AC500%20maksuohje.pdf", null);

        Assert.Equal("attachment", value.Value);
        Assert.Equal("€500 maksuohje.pdf", value.Parameter("filename"));
    }

    [Fact]
    public void Parse_Rfc2231Continuations_AreJoinedInSectionOrder()
    {
        var value = MimeParameters.Parse(
            "attachment; filename*1=\" maksuohje\"; filename*0*=ISO-8859-1'fi'%E4%E4ni; filename*2*=%2Epdf", null);

        Assert.Equal("ääni maksuohje.pdf", value.Parameter("filename"));
    }

    [Fact]
    public void Parse_ExtendedAndPlainValue_PrefersTheExtendedOne()
    {
        var value = MimeParameters.Parse("attachment; filename=\"fallback.pdf\"; filename*=utf-8''ohje%C3%A4.pdf", null);

        Assert.Equal("ohjeä.pdf", value.Parameter("filename"));
    }

    [Fact]
    public void Parse_MissingSemicolonBeforeFirstParameter_StillReadsIt()
    {
        var value = MimeParameters.Parse("text/plain charset=\"iso-8859-1\"", null);

        Assert.Equal("text/plain", value.Value);
        Assert.Equal("iso-8859-1", value.Parameter("charset"));
    }

    [Fact]
    public void Parse_UnquotedValueWithSpacesAndParentheses_IsKeptWhole()
    {
        var value = MimeParameters.Parse("application/pdf; name=lasku (1).pdf", null);

        Assert.Equal("lasku (1).pdf", value.Parameter("name"));
    }

    [Fact]
    public void Parse_GarbageParameters_AreSkipped()
    {
        var value = MimeParameters.Parse("text/html;;; =nothing; novalue; charset=utf-8", null);

        Assert.Equal("text/html", value.Value);
        Assert.Equal(["charset"], value.Parameters.Keys);
    }
}
