using System.Net;
using Cho40.Db.Domain;
using Cho40.Web.Pages.Trace;

namespace Cho40.Tests.Trace;

public sealed class TraceCodeTests
{
    [Theory]
    [InlineData("8936042000017", "08936042000017")]  // GTIN-13 (GS1 Việt Nam 893)
    [InlineData("4006381333931", "04006381333931")]  // a well-known GTIN-13
    [InlineData("036000291452", "00036000291452")]   // UPC-A (GTIN-12)
    [InlineData("96385074", "00000096385074")]       // GTIN-8
    [InlineData("10614141000415", "10614141000415")] // GTIN-14 with indicator 1
    [InlineData(" 893-6042-000017 ", "08936042000017")]
    public void Valid_GTINs_are_normalised_to_14_digits(string input, string expected) => Assert.Equal(expected, Gtin.Normalize(input));

    [Theory]
    [InlineData("8936042000018")]  // wrong check digit
    [InlineData("4006381333932")]
    [InlineData("03600029145")]    // 11 digits
    [InlineData("893604200001A")]
    [InlineData("")]
    [InlineData("123456789012345")]
    public void Invalid_GTINs_are_refused(string input) => Assert.Null(Gtin.Normalize(input));

    [Fact]
    public void Every_wrong_GTIN_check_digit_is_refused()
    {
        const string body = "893604200001";
        var valid = Enumerable.Range(0, 10).Where(d => Gtin.IsValid(body + d)).ToList();
        Assert.Equal([7], valid);
    }

    [Fact]
    public void New_codes_use_the_unambiguous_alphabet_and_carry_a_valid_check_character()
    {
        var codes = Enumerable.Range(0, 2000).Select(_ => TraceCode.NewSerial()).ToList();
        Assert.All(codes, c =>
        {
            Assert.Equal(10, c.Length);
            Assert.True(TraceCode.IsValid(c));
            Assert.DoesNotContain(c, ch => ch is '0' or 'O' or '1' or 'I');
        });
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal(8, TraceCode.NewBatchCode().Length);
    }

    [Fact]
    public void Every_single_character_substitution_and_every_adjacent_transposition_is_detected()
    {
        for (var n = 0; n < 300; n++)
        {
            var code = n % 2 == 0 ? TraceCode.NewSerial() : TraceCode.NewBatchCode();
            Assert.True(TraceCode.IsValid(code));
            for (var i = 0; i < code.Length; i++)
            {
                foreach (var other in TraceCode.Alphabet.Where(c => c != code[i]))
                {
                    var typo = code[..i] + other + code[(i + 1)..];
                    Assert.False(TraceCode.IsValid(typo), $"{code} → {typo} not detected");
                }
                if (i + 1 < code.Length && code[i] != code[i + 1])
                {
                    var swapped = code[..i] + code[i + 1] + code[i] + code[(i + 2)..];
                    Assert.False(TraceCode.IsValid(swapped), $"{code} → {swapped} not detected");
                }
            }
        }
    }

    [Fact]
    public void Typed_codes_are_normalised_and_look_alikes_outside_the_alphabet_are_refused()
    {
        var code = TraceCode.NewSerial();
        Assert.Equal(code, TraceCode.Normalize(code.ToLowerInvariant(), 10));
        Assert.Equal(code, TraceCode.Normalize(code[..5] + " " + code[5..], 10));
        Assert.Null(TraceCode.Normalize(code[..9] + "0", 10));
        Assert.Null(TraceCode.Normalize(code, 8));
    }

    [Fact]
    public void Networks_group_addresses_by_IPv4_24_and_IPv6_48()
    {
        Assert.Equal("113.160.5.0/24", TraceIndexModel.Network(IPAddress.Parse("113.160.5.77")));
        Assert.Equal(TraceIndexModel.Network(IPAddress.Parse("113.160.5.1")), TraceIndexModel.Network(IPAddress.Parse("::ffff:113.160.5.200")));
        Assert.NotEqual(TraceIndexModel.Network(IPAddress.Parse("113.160.5.1")), TraceIndexModel.Network(IPAddress.Parse("113.160.6.1")));
        Assert.Equal(TraceIndexModel.Network(IPAddress.Parse("2001:ee0:4a1b::1")), TraceIndexModel.Network(IPAddress.Parse("2001:ee0:4a1b:ff::9")));
        Assert.Equal("unknown", TraceIndexModel.Network(null));
    }
}
