using System.Net;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Shop;

/// <summary>What a shopper does through HTTP, without JavaScript: add to the basket, check out.</summary>
public static class ShopHelpers
{
    public const string ThaiNguyen = "19";
    public const string TanCuongCommune = "05503";

    public static async Task AddToCartAsync(PageClient client, string productSlug, int quantity = 1)
    {
        var response = await client.SubmitFormAsync("/san-pham/" + productSlug, "form.add-to-cart",
            new Dictionary<string, string> { ["quantity"] = quantity.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/gio-hang", response.Headers.Location!.OriginalString);
    }

    public static Dictionary<string, string> ValidCheckout(string payment = "cod") => new()
    {
        ["Input.Name"] = "Nguyễn Văn Khách",
        ["Input.Phone"] = "0912 345 678",
        ["Input.ProvinceCode"] = ThaiNguyen,
        ["Input.CommuneCode"] = TanCuongCommune,
        ["Input.AddressLine"] = "Xóm Hồng Thái 2",
        ["Input.Note"] = "Gọi trước khi giao",
        ["Input.PaymentMethod"] = payment,
    };

    public static Task<HttpResponseMessage> CheckoutAsync(PageClient client, string payment = "cod") =>
        client.SubmitFormAsync("/thanh-toan", "#checkout-form", ValidCheckout(payment));

    public static async Task<T> ScalarAsync<T>(Cho40App app, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException("no value: " + sql);
    }

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(Cho40App app, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    public static async Task ExecuteAsync(Cho40App app, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.ExecuteAsync(sql, parameters);
    }
}
