using System.Net;
using Cho40.Jobs.Shop;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Shop;
using Microsoft.Extensions.DependencyInjection;

namespace Cho40.Tests.Orders;

/// <summary>An unpaid transfer order is reserved until a time the page names; then the expiry job cancels it and returns the goods.</summary>
public sealed class TransferHoldTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync() => app = await Cho40App.StartAsync(settings: new Dictionary<string, string> { ["Cho40:Shop:TransferHoldHours"] = "6" });

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<(long Id, string Url)> TransferOrderAsync(string slug)
    {
        using var shopper = app.NewClient();
        await ShopHelpers.AddToCartAsync(shopper, slug, 3);
        var placed = await ShopHelpers.CheckoutAsync(shopper, "transfer");
        Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        var url = placed.Headers.Location!.OriginalString;
        return (await ShopHelpers.ScalarAsync<long>(app, "SELECT id FROM orders WHERE access_token = @t", new { t = url.Split('/')[^1] }), url);
    }

    [Fact]
    public async Task The_page_says_until_when_and_the_job_cancels_only_unpaid_orders_past_their_hold_once()
    {
        const string slug = "gao-bao-thai-dinh-hoa-5kg";
        var stock = await ShopHelpers.ScalarAsync<int>(app, "SELECT stock FROM products WHERE slug = @slug", new { slug });
        var unpaid = await TransferOrderAsync(slug);
        var paid = await TransferOrderAsync(slug);
        await ShopHelpers.ExecuteAsync(app, "UPDATE orders SET payment_status = 'paid', paid_at = now(), paid_amount_vnd = total_vnd WHERE id = @id", new { id = paid.Id });
        var createdAt = await ShopHelpers.ScalarAsync<DateTime>(app, "SELECT created_at FROM orders WHERE id = @id", new { id = unpaid.Id });
        Assert.Equal(createdAt.AddHours(6), await ShopHelpers.ScalarAsync<DateTime>(app, "SELECT reserved_until FROM orders WHERE id = @id", new { id = unpaid.Id }));

        using var shopper = app.NewClient();
        var (_, page) = await shopper.GetPageAsync(unpaid.Url);
        var until = Cho40.Web.Infrastructure.Formatting.VietnamDateTime(new DateTimeOffset(createdAt, TimeSpan.Zero).AddHours(6));
        Assert.Contains($"Đơn được giữ đến {until}.", page.QuerySelector("#transfer-reserved")!.TextContent);
        // The lines table stacks on a phone: each body cell carries its column's name; the totals in the footer do not.
        Assert.NotNull(page.QuerySelector("table.stacked tbody td[data-label='Số lượng']"));
        Assert.Empty(page.QuerySelectorAll("table.stacked tfoot td[data-label]"));

        using var scope = app.Services.CreateScope();
        var job = scope.ServiceProvider.GetRequiredService<ExpireUnpaidTransfersJob>();
        app.Clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(0, await job.RunAsync(CancellationToken.None)); // still within the hold (and the demo's older orders have none)
        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await job.RunAsync(CancellationToken.None));
        Assert.Equal(0, await job.RunAsync(CancellationToken.None)); // a re-run changes nothing

        Assert.Equal("cancelled", await ShopHelpers.ScalarAsync<string>(app, "SELECT status FROM orders WHERE id = @id", new { id = unpaid.Id }));
        Assert.Equal("placed", await ShopHelpers.ScalarAsync<string>(app, "SELECT status FROM orders WHERE id = @id", new { id = paid.Id }));
        Assert.Equal(stock - 3, await ShopHelpers.ScalarAsync<int>(app, "SELECT stock FROM products WHERE slug = @slug", new { slug }));
        Assert.Equal(1L, await ShopHelpers.ScalarAsync<long>(app,
            "SELECT count(*) FROM order_events WHERE order_id = @id AND kind = 'cancelled' AND actor_kind = 'system'", new { id = unpaid.Id }));

        var (_, after) = await shopper.GetPageAsync(unpaid.Url);
        Assert.Null(after.QuerySelector("#transfer"));
        Assert.Contains("Hết thời gian giữ đơn", after.QuerySelector(".history")!.TextContent);
    }
}
