using System.Text.Json;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Web.Infrastructure;
using Cho40.Web.Payments;

namespace Cho40.Web.Pages.Stall;

/// <summary>
/// What the stall screen and the charge screen receive for a payment (also rendered server-side): the words to speak
/// (the FULL amount) and the same as recorded clips for phones without a Vietnamese voice.
/// </summary>
public sealed record PaymentView(long Id, string Method, long AmountVnd, string AmountText, string Time, string Check,
    long? ExpectedAmountVnd, string? ExpectedText, long? RequestId, string Words, IReadOnlyList<string> Clips, bool Voided, bool CanVoid)
{
    public static PaymentView Of(StallPayment p, DateTimeOffset now)
    {
        var words = p.CheckResult == "short"
            ? $"Thiếu tiền. {VietnameseNumberWords.Received(p.AmountVnd)}, cần {VietnameseNumberWords.Of(p.ExpectedAmountVnd ?? 0)} đồng"
            : VietnameseNumberWords.Received(p.AmountVnd);
        return new(p.Id, p.Method, p.AmountVnd, Formatting.Vnd(p.AmountVnd),
            VietnamTime.ToVietnam(p.OccurredAt).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            p.CheckResult, p.ExpectedAmountVnd, p.ExpectedAmountVnd is { } e ? Formatting.Vnd(e) : null, p.PaymentRequestId,
            words, SpokenClips.For(words), p.Voided, p.CanVoid(now));
    }
}

public sealed record TotalsView(string Qr, string Cash, string Total, int Count)
{
    public static TotalsView Of(DayTotals t) => new(Formatting.Vnd(t.Qr), Formatting.Vnd(t.Cash), Formatting.Vnd(t.Total), t.Count);
}

public static class StallEventStream
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// <c>GET /Stall/{id}/Events</c> — server-sent events for a stall its keeper may see (others: 404):
    /// <c>payment</c> {payment, totals} for each payment of today, <c>request</c> {id, status, received} when a
    /// payment request changes, and a comment every 15 s to keep proxies from closing the stream.
    /// A payment event carries its id (<c>id:</c>): a screen that reconnects (the browser sends <c>Last-Event-ID</c>; a page
    /// that reopens the stream itself passes <c>?last=</c>) first gets today's payments it missed, and so does an open stream
    /// when this process's LISTEN connection was lost and is back; such a connection then gets <c>sync</c> {totals, voided}
    /// (voids made while it was away) and, with <c>?request=</c>, that request's current state — so a screen that lost
    /// coverage is caught up. A <c>ping</c> event every 15 s lets the page notice a connection that died silently.
    /// </summary>
    public static void MapStallEventStream(this IEndpointRouteBuilder app) =>
        app.MapGet("/Stall/{id:long}/Events", async (long id, HttpContext http, Stalls stalls, Db.Payments payments, StallEvents events,
            TimeProvider time, CancellationToken cancellation) =>
        {
            if (!await stalls.KeepsAsync(id, http.User.UserId(), cancellation)) return Results.NotFound();
            var reader = events.Subscribe(id, cancellation);
            // Payments this stream has shown (or the screen had before it reconnected); anything newer that it has not
            // sent is sent on a resync.
            var sent = new HashSet<long>();
            var lastEventId = long.TryParse(http.Request.Headers["Last-Event-ID"], out var last) ? last
                : long.TryParse(http.Request.Query["last"], out var lastQuery) ? lastQuery : (long?)null;
            var followedRequest = long.TryParse(http.Request.Query["request"], out var requestId) ? requestId : (long?)null;
            var shownBefore = lastEventId ?? (await payments.OfDayAsync(id, VietnamTime.DayOf(time.GetUtcNow()), cancellation)).Select(p => p.Id).DefaultIfEmpty(0).Max();
            http.Response.Headers.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache, no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.WriteAsync(": connected\n\n", cancellation);
            await http.Response.Body.FlushAsync(cancellation);
            try
            {
                if (lastEventId is not null)
                {
                    // A screen that already shows some of today (it says which): what it missed, then the day's state.
                    await CatchUpAsync();
                    await SyncAsync();
                }
                if (followedRequest is { } r) await SendAsync("r" + r.ToString(System.Globalization.CultureInfo.InvariantCulture));
                while (!cancellation.IsCancellationRequested)
                {
                    using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                    heartbeat.CancelAfter(TimeSpan.FromSeconds(15));
                    string what;
                    try
                    {
                        what = await reader.ReadAsync(heartbeat.Token);
                    }
                    catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                    {
                        await http.Response.WriteAsync("event: ping\ndata: {}\n\n", cancellation);
                        await http.Response.Body.FlushAsync(cancellation);
                        continue;
                    }
                    if (what == StallEvents.Resync)
                    {
                        await CatchUpAsync();
                        await SyncAsync();
                        continue;
                    }
                    await SendAsync(what);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
            {
                // the screen was closed
            }
            return Results.Empty;

            async Task SendAsync(string what)
            {
                // A payment is announced once per insert; a catch-up may have sent it before its notification arrived.
                if (what.Length > 1 && what[0] == 'p' && long.TryParse(what.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture, out var paymentId)
                    && sent.Contains(paymentId)) return;
                var message = await DescribeAsync(id, what, payments, time, cancellation);
                if (message is null) return;
                if (what[0] == 'p') sent.Add(long.Parse(what.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture));
                await http.Response.WriteAsync(message, cancellation);
                await http.Response.Body.FlushAsync(cancellation);
            }

            async Task SyncAsync()
            {
                var today = await payments.OfDayAsync(id, VietnamTime.DayOf(time.GetUtcNow()), cancellation);
                var sync = new { totals = TotalsView.Of(Db.Payments.Totals(today)), voided = today.Where(p => p.Voided).Select(p => p.Id) };
                await http.Response.WriteAsync($"event: sync\ndata: {JsonSerializer.Serialize(sync, Json)}\n\n", cancellation);
                await http.Response.Body.FlushAsync(cancellation);
            }

            async Task CatchUpAsync()
            {
                var today = await payments.OfDayAsync(id, VietnamTime.DayOf(time.GetUtcNow()), cancellation);
                foreach (var missed in today.Where(p => p.Id > shownBefore && !sent.Contains(p.Id)).OrderBy(p => p.Id))
                    await SendAsync("p" + missed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }).RequireAuthorization();

    private static async Task<string?> DescribeAsync(long stallId, string what, Db.Payments payments, TimeProvider time, CancellationToken cancellationToken)
    {
        if (what.Length < 2 || !long.TryParse(what.AsSpan(1), out var id)) return null;
        if (what[0] == 'p')
        {
            var payment = await payments.FindPaymentAsync(id, stallId, cancellationToken);
            if (payment is null) return null;
            var today = await payments.OfDayAsync(stallId, VietnamTime.DayOf(time.GetUtcNow()), cancellationToken);
            var isToday = today.Any(p => p.Id == id);
            return $"id: {id}\nevent: payment\ndata: {JsonSerializer.Serialize(new { payment = PaymentView.Of(payment, time.GetUtcNow()), today = isToday, totals = TotalsView.Of(Db.Payments.Totals(today)) }, Json)}\n\n";
        }
        if (what[0] == 'r')
        {
            var request = await payments.FindRequestAsync(id, stallId, cancellationToken);
            if (request is null) return null;
            var received = await payments.ReceivedForRequestAsync(id, cancellationToken);
            return $"event: request\ndata: {JsonSerializer.Serialize(new { id, status = request.Status, received, receivedText = Formatting.Vnd(received) }, Json)}\n\n";
        }
        return null;
    }
}
