using System.Net;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Foundation;

public sealed class AuthorizationTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in_for_admin_pages()
    {
        using var client = App.NewClient();
        var response = await client.Http.GetAsync("/Admin/Sellers");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/SignIn", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("0900000006")] // shopper
    [InlineData("0900000003")] // seller member
    [InlineData("0900000002")] // market manager
    [InlineData("0900000004")] // stallholder
    public async Task Other_roles_are_refused_the_admin_pages(string phone)
    {
        using var client = App.NewClient();
        await client.SignInAsync(phone);
        var response = await client.Http.GetAsync("/Admin/Sellers");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery);
        var denied = await client.Http.GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    public async Task The_job_dashboard_is_for_admins_only()
    {
        using var anonymous = App.NewClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.Http.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.Http.GetAsync("/hangfire/jobs/enqueued")).StatusCode);

        using var shopper = App.NewClient();
        await shopper.SignInAsync("0900000006");
        Assert.Equal(HttpStatusCode.Forbidden, (await shopper.Http.GetAsync("/hangfire")).StatusCode);

        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task An_admin_approves_a_seller_application_and_the_applicant_becomes_a_seller_member()
    {
        var (phone, sellerName) = (Unique.Phone(), Unique.Name("Nông hộ Vũ Văn Nông"));
        using var applicant = App.NewClient();
        await applicant.SignUpAsync(phone, "nong-ho-123", "Vũ Văn Nông");

        // Choosing the province without JavaScript re-renders the form with that province's communes.
        var (_, form) = await applicant.GetPageAsync("/Seller/Apply");
        var withProvince = await applicant.SubmitAsync(form, "main form",
            new Dictionary<string, string> { ["Input.ProvinceCode"] = "19", ["Input.Name"] = sellerName },
            "button[formaction*='handler=Province']");
        Assert.Equal(HttpStatusCode.OK, withProvince.StatusCode);
        var page = await PageClient.ParseAsync(withProvince);
        var tanCuong = page.QuerySelectorAll("#InputCommuneCode option").First(o => o.TextContent == "Xã Tân Cương").GetAttribute("value")!;

        var submitted = await applicant.SubmitAsync(page, "main form", new Dictionary<string, string>
        {
            ["Input.Name"] = sellerName, ["Input.Kind"] = "household", ["Input.ProvinceCode"] = "19",
            ["Input.CommuneCode"] = tanCuong, ["Input.AddressLine"] = "Xóm Nam Đồng",
        });
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        var sellerId = await connection.QuerySingleAsync<long>("SELECT id FROM sellers WHERE name = @sellerName AND status = 'pending'", new { sellerName });

        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var (_, review) = await admin.GetPageAsync("/Admin/Sellers");
        var form2 = review.QuerySelectorAll("main form").First(f => f.QuerySelector($"input[name=sellerId][value='{sellerId}']") is not null);
        form2.Id = "review";
        var approved = await admin.SubmitAsync(review, "#review", new Dictionary<string, string> { ["note"] = "Hồ sơ đầy đủ" },
            "#review button[formaction*='handler=Approve']");
        Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);

        Assert.Equal("approved", await connection.QuerySingleAsync<string>("SELECT status FROM sellers WHERE id = @sellerId", new { sellerId }));
        Assert.True(await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.phone = @phone AND r.role = 'seller_member')", new { phone }));

        // The applicant's cookie picks the new role up within a minute, without signing in again.
        App.Clock.Advance(TimeSpan.FromMinutes(2));
        var (_, account) = await applicant.GetPageAsync("/Account");
        Assert.Contains("Thành viên người bán", account.Body!.TextContent);
    }

    [Fact]
    public async Task A_commune_from_another_province_is_rejected_next_to_the_field()
    {
        using var client = App.NewClient();
        await client.SignInAsync("0900000006");
        var response = await client.SubmitFormAsync("/Seller/Apply", "main form", new Dictionary<string, string>
        {
            ["Input.Name"] = "HTX Thử", ["Input.Kind"] = "cooperative", ["Input.ProvinceCode"] = "01", ["Input.CommuneCode"] = "05503",
            ["Input.TaxCode"] = "12345",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageClient.ParseAsync(response);
        Assert.Contains("không thuộc tỉnh", page.Body!.TextContent);
        Assert.Contains("Mã số thuế gồm 10 chữ số", page.QuerySelector("[data-valmsg-for='Input.TaxCode']")!.TextContent);
    }
}
