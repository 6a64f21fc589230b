using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Payments;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Stalls;

/// <summary>The stall screen's event stream (server-sent events), driven in-process: what it sends, and how often.</summary>
public sealed class StallEventStreamTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Fact]
    public async Task A_payment_is_sent_once_even_when_its_notification_arrives_after_a_resync_already_sent_it()
    {
        var (stallId, _, _) = await NewStallAsync(App);
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        using var stream = await owner.Http.GetAsync($"/Stall/{stallId}/Events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal(": connected", await reader.ReadLineAsync());

        // A payment committed while this process's LISTEN connection was down (so no notification reached it). The
        // listener comes back: a resync, which sends the payment — and then the payment's own notification arrives after
        // all (the order CrossInstanceOutageTests met under load). The screen must not show it, and say it, twice.
        var events = App.Services.GetRequiredService<StallEvents>();
        var first = await Cho40.Tests.Reports.ReportTestData.PaymentAsync(App, stallId, "cash", 11_000, App.Clock.GetUtcNow());
        events.ResyncAll();
        events.Deliver($"{stallId}:p{first}");
        var second = await Cho40.Tests.Reports.ReportTestData.PaymentAsync(App, stallId, "cash", 22_000, App.Clock.GetUtcNow());
        events.Deliver($"{stallId}:p{second}");
        // A request event last: the stream handles its events in order, so when this one arrives every event before it
        // has been handled, and the payments sent before it are all it will ever send for them.
        var request = await App.Services.GetRequiredService<Cho40.Db.Payments>().CreateRequestAsync(stallId, 33_000, r => "payload " + r,
            App.Clock.GetUtcNow(), TimeSpan.FromMinutes(15), userId: 1);
        events.Deliver($"{stallId}:r{request.Id}");

        Assert.Equal([first, second], await PaymentIdsBeforeARequestEventAsync(reader));
    }

    /// <summary>The ids of the payment events on the stream up to its next request event (10 s at most).</summary>
    private static async Task<List<long>> PaymentIdsBeforeARequestEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ids = new List<long>();
        string line;
        while ((line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the stream ended")) != "event: request")
            if (line.StartsWith("id: ", StringComparison.Ordinal)) ids.Add(long.Parse(line["id: ".Length..], System.Globalization.CultureInfo.InvariantCulture));
        return ids;
    }
}
