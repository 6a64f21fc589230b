using Cho40.Db;

namespace Cho40.Tests.Foundation;

public sealed class BanksTests
{
    private static readonly Banks Banks = new();

    [Fact]
    public void Banks_are_keyed_on_the_BIN_and_a_renamed_bank_keeps_its_former_name()
    {
        Assert.Equal("Vietcombank", Banks.FindByBin("970436")!.ShortName);
        var vikki = Banks.FindByBin("970406")!;
        Assert.Equal("Vikki Bank", vikki.ShortName);
        Assert.Contains("DongA Bank", vikki.FormerNames);
        Assert.Equal(Banks.All.Count, Banks.All.Select(b => b.Bin).Distinct().Count());
        Assert.Null(Banks.FindByBin("123456"));
    }
}
