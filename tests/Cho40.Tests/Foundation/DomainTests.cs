using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;

namespace Cho40.Tests.Foundation;

public sealed class DomainTests
{
    [Theory]
    [InlineData("0912345678", "0912345678")]
    [InlineData("0912 345 678", "0912345678")]
    [InlineData("0912.345.678", "0912345678")]
    [InlineData("+84 912 345 678", "0912345678")]
    [InlineData("84912345678", "0912345678")]
    [InlineData("0386123456", "0386123456")]
    [InlineData("0212345678", null)]   // landline prefix
    [InlineData("091234567", null)]    // too short
    [InlineData("09123456789", null)]  // too long
    [InlineData("abc", null)]
    [InlineData("", null)]
    public void Vietnamese_mobile_numbers_are_normalised_or_rejected(string input, string? expected) =>
        Assert.Equal(expected, VietnamesePhone.Normalize(input));

    [Theory]
    [InlineData("Chè Tân Cương", "che-tan-cuong")]
    [InlineData("ĐẶC SẢN Đà Lạt!", "dac-san-da-lat")]
    [InlineData("Gạo Bao Thai  — Định Hóa 5 kg", "gao-bao-thai-dinh-hoa-5-kg")]
    public void Slugs_fold_Vietnamese_to_ascii(string input, string expected) => Assert.Equal(expected, Slug.From(input));

    [Fact]
    public void Ascii_folding_handles_precomposed_and_decomposed_forms()
    {
        var precomposed = "Phở Đà Nẵng ơ";
        var decomposed = precomposed.Normalize(System.Text.NormalizationForm.FormD);
        Assert.Equal("Pho Da Nang o", Slug.ToAscii(precomposed));
        Assert.Equal("Pho Da Nang o", Slug.ToAscii(decomposed));
    }

    [Theory]
    [InlineData(1500000L, "1.500.000 ₫")]
    [InlineData(0L, "0 ₫")]
    [InlineData(200L, "200 ₫")]
    public void Money_is_shown_the_Vietnamese_way(long amount, string expected) =>
        Assert.Equal(expected, Formatting.Vnd(amount).Replace('\u00A0', ' '));

    [Fact]
    public void A_Vietnam_day_runs_from_17_00_UTC_to_17_00_UTC()
    {
        var (start, end) = VietnamTime.DayBounds(new DateOnly(2026, 11, 22));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 17, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 17, 0, 0, TimeSpan.Zero), end);
        // 23:30 UTC on the 21st is already the 22nd in Vietnam.
        Assert.Equal(new DateOnly(2026, 11, 22), VietnamTime.DayOf(new DateTimeOffset(2026, 11, 21, 23, 30, 0, TimeSpan.Zero)));
        Assert.Equal("22/11/2026 06:30", Formatting.VietnamDateTime(new DateTimeOffset(2026, 11, 21, 23, 30, 0, TimeSpan.Zero)));
    }
}
