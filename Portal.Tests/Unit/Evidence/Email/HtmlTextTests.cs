using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class HtmlTextTests
{
    [Fact]
    public void ToText_ScriptsStylesTitleAndComments_AreDropped()
    {
        var text = HtmlText.ToText("<head><title>T</title><style>.x{}</style></head><script>var a = '<p>';</script><!-- c --><p>Näkyvä</p>");

        Assert.Equal("Näkyvä", text);
    }

    [Fact]
    public void ToText_Entities_AreDecoded()
    {
        Assert.Equal("€ & <x> \"y\" ä – €", HtmlText.ToText("&euro; &amp; &lt;x&gt; &quot;y&quot; &auml; &ndash; &#x20ac;"));
    }

    [Fact]
    public void ToText_BlockElements_BecomeLinesAndParagraphs()
    {
        var text = HtmlText.ToText("<div>yksi</div><div>kaksi<br>kolme</div><p>neljä</p><ul><li>a</li><li>b</li></ul>");

        Assert.Equal("yksi\nkaksi\nkolme\n\nneljä\n\na\nb", text);
    }

    [Fact]
    public void ToText_WhitespaceRuns_CollapseOutsidePre()
    {
        Assert.Equal("a b c\n\n  x\n    y", HtmlText.ToText("<p>a \r\n  b\t\tc&nbsp;</p><pre>  x\n    y</pre>"));
    }

    [Fact]
    public void ToText_LinkWhoseTextHidesTheTarget_KeepsTheTarget()
    {
        var text = HtmlText.ToText("<a href='https://pay.example.net/x?a=1&amp;b=2'>Maksa tästä</a> <a href=\"https://example.org\">https://example.org</a> <a href=#top>ylös</a>");

        Assert.Equal("Maksa tästä (https://pay.example.net/x?a=1&b=2) https://example.org ylös", text);
    }

    [Fact]
    public void ToText_GreaterThanInsideQuotedAttribute_DoesNotEndTheTag()
    {
        Assert.Equal("teksti", HtmlText.ToText("<img alt=\"a > b\" src=x><span title='c>d'>teksti</span>"));
    }

    [Fact]
    public void ToText_UnclosedStyle_ShowsTheRestRatherThanHidingIt()
    {
        Assert.Equal("Maksa heti", HtmlText.ToText("<style>Maksa heti"));
    }

    [Fact]
    public void ToText_LessThanThatStartsNoTag_IsKeptAsText()
    {
        Assert.Equal("1 < 2 ja 3 <4", HtmlText.ToText("1 < 2 ja 3 <4"));
    }
}
