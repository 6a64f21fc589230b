using Cho40.Web.Catalog;

namespace Cho40.Tests.Catalog;

public sealed class CatalogRulesTests
{
    [Theory]
    [InlineData("150.000", 150_000L)]
    [InlineData("150000", 150_000L)]
    [InlineData("150 000 đ", 150_000L)]
    [InlineData("150\u00A0000\u00A0₫", 150_000L)]
    [InlineData("1.500.000đ", 1_500_000L)]
    [InlineData("150,000 VND", 150_000L)]
    [InlineData("999.999.999", 999_999_999L)]
    [InlineData("150000,5", null)]
    [InlineData("150.5", null)]
    [InlineData("150.00", null)]
    [InlineData("-150000", null)]
    [InlineData("0", null)]
    [InlineData("1.000.000.000", null)]
    [InlineData("", null)]
    [InlineData("một trăm", null)]
    public void Prices_are_whole_vnd_written_the_vietnamese_way(string text, long? expected)
    {
        Assert.Equal(expected, CatalogRules.ParsePrice(text, out var error));
        Assert.Equal(expected is null, error is not null);
    }

    [Theory]
    [InlineData("", true, null)]
    [InlineData("không", true, null)]
    [InlineData("4", true, (short)4)]
    [InlineData("5 sao", true, (short)5)]
    [InlineData("OCOP 3 sao", true, (short)3)]
    [InlineData("2", false, null)]
    [InlineData("6 sao", false, null)]
    public void Ocop_stars_are_three_four_or_five(string text, bool ok, short? stars)
    {
        Assert.Equal(ok, CatalogRules.TryParseOcop(text, out var parsed, out _));
        Assert.Equal(stars, parsed);
    }

    [Fact]
    public void Descriptions_are_markdown_rendered_and_sanitised()
    {
        var html = ProductDescription.ToSafeHtml("""
            ## Chè **ngon**

            - một
            - [trang](https://example.vn) [xấu](javascript:alert(1))

            <script>alert('x')</script><img src=x onerror=alert(1)>
            ![ảnh](https://tracker.example/pixel.png)
            """);
        Assert.Contains("<h2>Chè <strong>ngon</strong></h2>", html);
        Assert.Contains("<li>một</li>", html);
        Assert.Contains("href=\"https://example.vn\"", html);
        Assert.Contains("rel=\"nofollow noopener noreferrer ugc\"", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("onerror=", html.Replace("&lt;img src=x onerror=alert(1)&gt;", ""));
        Assert.Equal("", ProductDescription.ToSafeHtml("   "));
    }
}
