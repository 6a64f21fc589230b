using System.Net;
using Cho40.Tests.Infrastructure;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Stalls;

public sealed class StallSetupTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    // Each test names its stall uniquely (and uses its own stall numbers and phones): the class shares one database.
    private static Dictionary<string, string> Form(string stallNumber, string name, string account = "0011 0012 34567", string holder = "Lê Thị Hoa",
        string bank = "970436") => new()
    {
        ["Input.MarketId"] = "", ["Input.StallNumber"] = stallNumber, ["Input.Name"] = name, ["Input.Goods"] = "Rau",
        ["Input.BankBin"] = bank, ["Input.Service"] = "account", ["Input.AccountNumber"] = account, ["Input.AccountHolder"] = holder,
    };

    private async Task<string> MarketIdAsync(string slug) => (await ScalarAsync<long>(App, "SELECT id FROM markets WHERE slug = @slug", new { slug }))
        .ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Invalid_input_is_explained_in_Vietnamese_next_to_each_field_and_nothing_is_saved()
    {
        var name = Unique.Name("Rau sạch cô Hoa");
        using var client = App.NewClient();
        await client.SignInAsync("0900000004");
        var values = Form("A 01!", name, account: "12ab34", holder: "Hoa 😀", bank: "");
        var response = await client.SubmitFormAsync("/Stall/Edit", "main form", values);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageClient.ParseAsync(response);
        string Error(string field) => page.QuerySelector($"[data-valmsg-for='Input.{field}']")!.TextContent;
        Assert.Contains("Vui lòng chọn chợ", Error("MarketId"));
        Assert.Contains("Số sạp gồm", Error("StallNumber"));
        Assert.Contains("Vui lòng chọn ngân hàng", Error("BankBin"));
        Assert.Contains("chỉ gồm chữ số", Error("AccountNumber"));
        Assert.Contains("Tên chủ tài khoản", Error("AccountHolder"));

        values = Form(Unique.StallNumber(), name, account: "12345678901234567890");
        values["Input.MarketId"] = await MarketIdAsync("cho-dai-tu");
        page = await PageClient.ParseAsync(await client.SubmitFormAsync("/Stall/Edit", "main form", values));
        Assert.Contains("tối đa 19 số", page.QuerySelector("[data-valmsg-for='Input.AccountNumber']")!.TextContent);

        values = Form("A01", name); // Chợ Đại Từ has an A01 in the demo data
        values["Input.MarketId"] = await MarketIdAsync("cho-dai-tu");
        page = await PageClient.ParseAsync(await client.SubmitFormAsync("/Stall/Edit", "main form", values));
        Assert.Contains("đã có sạp số A01", page.QuerySelector("[data-valmsg-for='Input.StallNumber']")!.TextContent);
        Assert.Equal(0, await ScalarAsync<long>(App, "SELECT count(*) FROM stalls WHERE name = @name", new { name }));
    }

    [Fact]
    public async Task A_stallholder_sets_up_a_stall_and_the_holder_name_is_stored_as_banks_show_it()
    {
        var (name, number) = (Unique.Name("Rau sạch cô Hoa"), Unique.StallNumber());
        using var client = App.NewClient();
        await client.SignInAsync("0900000004");
        var values = Form(number.ToLowerInvariant(), name, account: "0011.0012-34567");
        values["Input.MarketId"] = await MarketIdAsync("cho-tuc-duyen");
        var response = await client.SubmitFormAsync("/Stall/Edit", "main form", values);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"{number}|970436|0011001234567|LE THI HOA", await ScalarAsync<string>(App, """
            SELECT s.stall_number || '|' || b.bank_bin || '|' || b.account_number || '|' || b.account_holder
            FROM stalls s JOIN stall_bank_accounts b ON b.stall_id = s.id JOIN users u ON u.id = s.owner_user_id
            WHERE s.name = @name AND u.phone = '0900000004'
            """, new { name }));
        var (_, list) = await client.GetPageAsync("/Stall");
        Assert.Contains($"{number} · {name}", list.Body!.TextContent);
    }

    [Fact]
    public async Task A_stall_may_name_its_virtual_account_but_never_the_collection_account_or_another_stalls_virtual_account()
    {
        using var client = App.NewClient();
        await client.SignInAsync("0900000004");
        var marketId = await MarketIdAsync("cho-tuc-duyen");
        var (first, second) = (Unique.StallNumber(), Unique.StallNumber());
        var virtualAccount = "VQRQ 0003" + Unique.Token(5).ToLowerInvariant();
        var collection = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Cho40.Web.Pages.Shop.CollectionAccount>(App.Services).AccountNumber;

        // The platform's collection account pays shop orders: it cannot be a stall's, as account or as virtual account.
        var values = Form(first, Unique.Name("Sạp V01"), account: collection);
        values["Input.MarketId"] = marketId;
        values["Input.VirtualAccount"] = "VQR ab!";
        var page = await PageClient.ParseAsync(await client.SubmitFormAsync("/Stall/Edit", "main form", values));
        Assert.Contains("tài khoản thu của Chợ 4.0", page.QuerySelector("[data-valmsg-for='Input.AccountNumber']")!.TextContent);
        Assert.Contains("chữ cái không dấu và chữ số", page.QuerySelector("[data-valmsg-for='Input.VirtualAccount']")!.TextContent);
        values = Form(first, Unique.Name("Sạp V01"), account: Unique.AccountNumber());
        values["Input.MarketId"] = marketId;
        values["Input.VirtualAccount"] = collection;
        page = await PageClient.ParseAsync(await client.SubmitFormAsync("/Stall/Edit", "main form", values));
        Assert.Contains("tài khoản thu của Chợ 4.0", page.QuerySelector("[data-valmsg-for='Input.VirtualAccount']")!.TextContent);

        // A payOS-style mixed-case virtual account is kept as written (spaces dropped).
        values["Input.VirtualAccount"] = virtualAccount;
        Assert.Equal(HttpStatusCode.Redirect, (await client.SubmitFormAsync("/Stall/Edit", "main form", values)).StatusCode);
        Assert.Equal(virtualAccount.Replace(" ", ""), await ScalarAsync<string>(App, """
            SELECT b.virtual_account FROM stall_bank_accounts b JOIN stalls s ON s.id = b.stall_id
            WHERE s.stall_number = @first AND s.market_id = @marketId::bigint
            """, new { marketId, first }));

        // Another stall cannot take the same virtual account: refused next to the field, nothing saved.
        values = Form(second, Unique.Name("Sạp V02"), account: Unique.AccountNumber());
        values["Input.MarketId"] = marketId;
        values["Input.VirtualAccount"] = virtualAccount.Replace(" ", "");
        var refused = await client.SubmitFormAsync("/Stall/Edit", "main form", values);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        page = await PageClient.ParseAsync(refused);
        Assert.Contains("đã được một sạp khác dùng", page.QuerySelector("[data-valmsg-for='Input.VirtualAccount']")!.TextContent);
        Assert.Equal(0, await ScalarAsync<long>(App, "SELECT count(*) FROM stalls WHERE stall_number = @second AND market_id = @marketId::bigint",
            new { marketId, second }));
    }

    [Fact]
    public async Task Another_persons_stall_is_404_for_every_page_the_stream_and_edits()
    {
        var (stallId, _, account) = await NewStallAsync(App);
        using var other = App.NewClient();
        await other.SignUpAndSignInAsync(Unique.Phone(), "Người Lạ");
        foreach (var url in new[] { $"/Stall/{stallId}/Screen", $"/Stall/Edit/{stallId}", $"/Stall/{stallId}/Events" })
            Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync(url)).StatusCode);

        // Posting to the owner's forms with the other person's own antiforgery token is refused the same way.
        var (_, ownPage) = await other.GetPageAsync("/Stall/Edit");
        var token = ownPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var edit = await other.Http.PostAsync($"/Stall/Edit/{stallId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Name"] = "Đã bị đổi", ["Input.BankBin"] = "970436",
            ["Input.AccountNumber"] = "6666666666", ["Input.AccountHolder"] = "KE GIAN", ["Input.Service"] = "account",
        }));
        Assert.Equal(HttpStatusCode.NotFound, edit.StatusCode);
        var cash = await other.Http.PostAsync($"/Stall/{stallId}/Screen?handler=Cash", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["CashAmount"] = "50000",
        }));
        Assert.Equal(HttpStatusCode.NotFound, cash.StatusCode);
        Assert.Equal(account, await ScalarAsync<string>(App, "SELECT account_number FROM stall_bank_accounts WHERE stall_id = @stallId", new { stallId }));
        Assert.Equal(0, await ScalarAsync<long>(App, "SELECT count(*) FROM stall_payments WHERE stall_id = @stallId", new { stallId }));

        // The helper who set the stall up keeps seeing it; the owner too.
        using var helper = App.NewClient();
        await helper.SignInAsync("0900000005");
        Assert.Equal(HttpStatusCode.OK, (await helper.Http.GetAsync($"/Stall/{stallId}/Screen")).StatusCode);
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/Stall/{stallId}/Screen")).StatusCode);
    }

    [Fact]
    public async Task A_helper_sets_up_a_stall_for_an_elderly_owner_who_then_activates_the_account()
    {
        var (name, number, ownerPhone) = (Unique.Name("Rau sạch bà Tư"), Unique.StallNumber(), Unique.Phone());
        using var helper = App.NewClient();
        await helper.SignInAsync("0900000005");
        var values = Form(number, name, account: "1903 5555 0001", holder: "bà Nguyễn Thị Tư");
        values["Input.MarketId"] = await MarketIdAsync("cho-dong-quang");
        values["Input.OwnerPhone"] = $"{ownerPhone[..4]} {ownerPhone[4..7]} {ownerPhone[7..]}";
        values["Input.OwnerName"] = "Nguyễn Thị Tư";
        var response = await helper.SubmitFormAsync("/Stall/Edit", "main form", values);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (_, screen) = await helper.GetPageAsync(response.Headers.Location!.OriginalString);
        var message = screen.QuerySelector(".flash")!.TextContent;
        var code = System.Text.RegularExpressions.Regex.Match(message, @"\b\d{6}\b").Value;
        Assert.Equal(6, code.Length);

        using var owner = App.NewClient();
        var wrong = await owner.SubmitFormAsync("/Stall/Activate", "main form", new Dictionary<string, string>
        {
            ["Input.Phone"] = ownerPhone, ["Input.Code"] = code == "000000" ? "111111" : "000000",
            ["Input.Password"] = "ba-tu-2025", ["Input.ConfirmPassword"] = "ba-tu-2025",
        });
        Assert.Contains("mã kích hoạt không đúng", (await PageClient.ParseAsync(wrong)).Body!.TextContent);
        var activated = await owner.SubmitFormAsync("/Stall/Activate", "main form", new Dictionary<string, string>
        {
            ["Input.Phone"] = ownerPhone, ["Input.Code"] = code, ["Input.Password"] = "ba-tu-2025", ["Input.ConfirmPassword"] = "ba-tu-2025",
        });
        Assert.Equal(HttpStatusCode.Redirect, activated.StatusCode);
        await owner.SignInAsync(ownerPhone, "ba-tu-2025");
        var (_, list) = await owner.GetPageAsync("/Stall");
        Assert.Contains(number, list.Body!.TextContent);
        Assert.Equal("BA NGUYEN THI TU", await ScalarAsync<string>(App, """
            SELECT b.account_holder FROM stall_bank_accounts b JOIN stalls s ON s.id = b.stall_id WHERE s.stall_number = @number
            """, new { number }));
        // The code works once.
        var again = await owner.SubmitFormAsync("/Stall/Activate", "main form", new Dictionary<string, string>
        {
            ["Input.Phone"] = ownerPhone, ["Input.Code"] = code, ["Input.Password"] = "other-pass-1", ["Input.ConfirmPassword"] = "other-pass-1",
        });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_cash_sale_is_logged_in_one_tap_and_counted_in_the_days_totals()
    {
        var (stallId, _, _) = await NewStallAsync(App);
        using var client = App.NewClient();
        await client.SignInAsync("0900000004");
        var (_, before) = await client.GetPageAsync($"/Stall/{stallId}/Screen");
        var cashBefore = before.QuerySelector("#total-cash")!.TextContent;
        Assert.DoesNotContain("35.000", cashBefore); // a stall of this test's own: nothing sold yet
        var response = await client.SubmitFormAsync($"/Stall/{stallId}/Screen", "form.cash-form", new Dictionary<string, string> { ["CashAmount"] = "35.000" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (_, after) = await client.GetPageAsync($"/Stall/{stallId}/Screen");
        Assert.Contains("35.000", after.QuerySelector("#total-cash")!.TextContent);
        Assert.Equal(35_000L, await ScalarAsync<long>(App, "SELECT sum(amount_vnd) FROM stall_payments WHERE stall_id = @stallId AND method = 'cash'", new { stallId }));
        Assert.Contains(after.QuerySelectorAll("#payments .payment-amount"), e => e.TextContent.Contains("35.000", StringComparison.Ordinal));

        var bad = await client.SubmitFormAsync($"/Stall/{stallId}/Screen", "form.cash-form", new Dictionary<string, string> { ["CashAmount"] = "ba chục" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("Gõ số đồng bằng chữ số", (await PageClient.ParseAsync(bad)).QuerySelector("[data-valmsg-for='CashAmount']")!.TextContent);
    }
}
