using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cho40.Db.Domain;
using Cho40.Jobs.Payments.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cho40.Tests.Payments;

/// <summary>A transaction a service holds for an account (what its API lists and its webhook would have sent).</summary>
public sealed record FakeTransaction(long Id, Guid Uuid, string Account, long AmountIn, long AmountOut, string Content, string Reference,
    DateTimeOffset Time, string VirtualAccount = "");

/// <summary>What to do to the next request of a route instead of (or before) answering it.</summary>
public abstract record FakeFault
{
    /// <summary>429 with the service's own wait header (SePay v1: x-sepay-userapi-retry-after; the others: Retry-After).</summary>
    public sealed record TooMany(int RetryAfterSeconds) : FakeFault;

    public sealed record ServerError(int Status = 500) : FakeFault;

    /// <summary>Answers only after this long (longer than the client's attempt timeout: a timeout).</summary>
    public sealed record Hang(TimeSpan For) : FakeFault;

    /// <summary>Does the work (e.g. creates the payOS link), then hangs: the client never sees the answer.</summary>
    public sealed record LoseAnswer(TimeSpan For) : FakeFault;
}

/// <summary>
/// A local stand-in (Kestrel on 127.0.0.1, a free port) for the APIs the platform calls, answering with the request and
/// response shapes the services publish: SePay API v1 (<c>/sepay/userapi/transactions/list</c>) and v2
/// (<c>/sepay-v2/transactions</c>), Casso (<c>/casso/v2/transactions</c>) and payOS (<c>/payos/v2/payment-requests</c>,
/// <c>/payos/confirm-webhook</c>, which then delivers payOS's signed test delivery to the address, as payOS does).
/// Faults are queued per route ("sepay-v1", "sepay-v2", "casso", "payos-create", "payos-info", "payos-confirm").
/// </summary>
public sealed class FakeBankServices : IAsyncDisposable
{
    public const string SePayToken = "fake-sepay-api-token", CassoApiKey = "fake-casso-api-key";

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeFault>> faults = new();
    private readonly ConcurrentDictionary<long, JsonObject> links = new();
    private readonly object gate = new();
    private readonly List<FakeTransaction> transactions = [];

    public string BaseUrl { get; private set; } = "";

    /// <summary>Every request as "ROUTE METHOD PATH?QUERY", in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public int PayOsCreates => Requests.Count(r => r.StartsWith("payos-create ", StringComparison.Ordinal));

    /// <summary>payOS's channel keys (the platform's connection must hold the same).</summary>
    public (string ClientId, string ApiKey, string ChecksumKey) PayOsKeys { get; set; } =
        (TestConnections.PayOsClientId, TestConnections.PayOsApiKey, Cho40.Tests.Infrastructure.Cho40App.WebhookSecrets["payos"]);

    private FakeBankServices(WebApplication app) => this.app = app;

    public static async Task<FakeBankServices> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var web = builder.Build();
        var fake = new FakeBankServices(web);
        fake.Map(web);
        await web.StartAsync();
        fake.BaseUrl = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return fake;
    }

    /// <summary>The app settings that point the platform's clients here (with short timeouts and retry delays for tests).</summary>
    public Dictionary<string, string> Settings => new()
    {
        ["Cho40:Payments:SePayApiV1BaseUrl"] = BaseUrl + "/sepay",
        ["Cho40:Payments:SePayApiV2BaseUrl"] = BaseUrl + "/sepay-v2",
        ["Cho40:Payments:CassoApiBaseUrl"] = BaseUrl + "/casso",
        ["Cho40:Payments:PayOsApiBaseUrl"] = BaseUrl + "/payos",
        ["Cho40:Payments:HttpAttemptTimeoutSeconds"] = "1",
        ["Cho40:Payments:HttpTotalTimeoutSeconds"] = "20",
        ["Cho40:Payments:HttpRetryDelayMilliseconds"] = "50",
        ["Cho40:Payments:HttpMaxRetryAfterSeconds"] = "2",
        // Tests fail calls on purpose: the breaker is tested on its own, not tripped by every test of a class.
        ["Cho40:Payments:CircuitBreakerMinimumThroughput"] = "1000",
        ["Cho40:WebhookFailuresPerMinute"] = "0",
    };

    public void Fail(string route, params FakeFault[] next)
    {
        var queue = faults.GetOrAdd(route, _ => new ConcurrentQueue<FakeFault>());
        foreach (var f in next) queue.Enqueue(f);
    }

    private static long nextId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % 1_000_000_000 * 10;

    /// <summary>Puts a transaction in the service's books (its API will list it); ids and bank references unique in the test run.</summary>
    public FakeTransaction Add(string account, long amountIn, string content, DateTimeOffset time, string? reference = null, string virtualAccount = "",
        long amountOut = 0)
    {
        var id = Interlocked.Increment(ref nextId);
        var t = new FakeTransaction(id, Guid.NewGuid(), account, amountIn, amountOut, content,
            reference ?? "FT" + id.ToString(CultureInfo.InvariantCulture), time, virtualAccount);
        lock (gate) transactions.Add(t);
        return t;
    }

    private List<FakeTransaction> Snapshot()
    {
        lock (gate) return transactions.OrderBy(t => t.Id).ToList();
    }

    private void Map(WebApplication web)
    {
        web.MapGet("/sepay/userapi/transactions/list", (Func<HttpContext, Task<IResult>>)(c => Route(c, "sepay-v1", () => SePayV1(c))));
        web.MapGet("/sepay-v2/transactions", (Func<HttpContext, Task<IResult>>)(c => Route(c, "sepay-v2", () => SePayV2(c))));
        web.MapGet("/casso/v2/transactions", (Func<HttpContext, Task<IResult>>)(c => Route(c, "casso", () => CassoList(c))));
        web.MapPost("/payos/v2/payment-requests", (Func<HttpContext, Task<IResult>>)(c => Route(c, "payos-create", () => PayOsCreate(c))));
        web.MapGet("/payos/v2/payment-requests/{id}", (HttpContext c, string id) => Route(c, "payos-info", () => PayOsInfo(c, id)));
        web.MapPost("/payos/confirm-webhook", (Func<HttpContext, Task<IResult>>)(c => Route(c, "payos-confirm", () => PayOsConfirm(c))));
    }

    private async Task<IResult> Route(HttpContext context, string route, Func<Task<IResult>> answer)
    {
        Requests.Enqueue($"{route} {context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
        if (faults.TryGetValue(route, out var queue) && queue.TryDequeue(out var fault))
        {
            switch (fault)
            {
                case FakeFault.TooMany(var seconds):
                    context.Response.Headers[route == "sepay-v1" ? "x-sepay-userapi-retry-after" : "Retry-After"] =
                        seconds.ToString(CultureInfo.InvariantCulture);
                    return Results.Json(new { status = "error", message = "Too Many Requests" }, statusCode: 429);
                case FakeFault.ServerError(var status):
                    return Results.Text("<html>502 Bad Gateway</html>", "text/html", statusCode: status);
                case FakeFault.Hang(var wait):
                    await Task.Delay(wait, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    break;
                case FakeFault.LoseAnswer(var wait):
                    var result = await answer();
                    await Task.Delay(wait, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    return result;
            }
        }
        return await answer();
    }

    // ---- SePay ---------------------------------------------------------------------------------------------------

    /// <summary>v1 (developer.sepay.vn › API giao dịch): a wrong token is answered 200 with an empty body.</summary>
    private Task<IResult> SePayV1(HttpContext c)
    {
        if (c.Request.Headers.Authorization.ToString() != "Bearer " + SePayToken) return Task.FromResult(Results.Text("", "application/json"));
        var q = c.Request.Query;
        var rows = Snapshot().Where(t => q["account_number"].ToString() is not { Length: > 0 } a || t.Account == a);
        if (long.TryParse(q["since_id"], out var since)) rows = rows.Where(t => t.Id >= since);
        if (q["transaction_date_min"].ToString() is { Length: > 0 } min)
            rows = rows.Where(t => string.CompareOrdinal(WebhookText.VietnamTimeText(t.Time), min) >= 0);
        var limit = int.TryParse(q["limit"], out var l) ? Math.Min(l, 5000) : 5000;
        var list = rows.Take(limit).Select(t => new JsonObject
        {
            ["id"] = t.Id.ToString(CultureInfo.InvariantCulture),
            ["bank_brand_name"] = "Vietcombank",
            ["account_number"] = t.Account,
            ["transaction_date"] = WebhookText.VietnamTimeText(t.Time),
            ["amount_out"] = t.AmountOut.ToString(CultureInfo.InvariantCulture) + ".00",
            ["amount_in"] = t.AmountIn.ToString(CultureInfo.InvariantCulture) + ".00",
            ["accumulated"] = "1128200335.00",
            ["transaction_content"] = t.Content,
            ["reference_number"] = t.Reference,
            ["code"] = null,
            ["sub_account"] = t.VirtualAccount.Length == 0 ? null : t.VirtualAccount,
            ["bank_account_id"] = "19",
        });
        var body = new JsonObject
        {
            ["status"] = 200, ["error"] = null, ["messages"] = new JsonObject { ["success"] = true }, ["transactions"] = new JsonArray(list.ToArray<JsonNode?>()),
        };
        return Task.FromResult(Results.Text(body.ToJsonString(), "application/json"));
    }

    /// <summary>v2 (developer.sepay.vn › SePay API v2): UUID ids, integer amounts, since_id polling oldest first, pages.</summary>
    private Task<IResult> SePayV2(HttpContext c)
    {
        if (c.Request.Headers.Authorization.ToString() != "Bearer " + SePayToken)
            return Task.FromResult(Results.Json(new { status = "error", error_code = "UNAUTHORIZED", message = "Invalid API token" }, statusCode: 401));
        var q = c.Request.Query;
        var rows = Snapshot().Where(t => q["account_number"].ToString() is not { Length: > 0 } a || t.Account == a);
        if (q["transfer_type"] == "in") rows = rows.Where(t => t.AmountIn > 0);
        var ordered = rows.OrderBy(t => t.Time).ThenBy(t => t.Id).ToList();
        if (Guid.TryParse(q["since_id"], out var since))
        {
            var at = ordered.FindIndex(t => t.Uuid == since);
            ordered = at < 0 ? [] : ordered.Skip(at + 1).ToList();
        }
        else if (q["transaction_date_from"].ToString() is { Length: > 0 } from)
            ordered = ordered.Where(t => string.CompareOrdinal(WebhookText.VietnamTimeText(t.Time), from) >= 0).ToList();
        var perPage = Math.Min(int.TryParse(q["per_page"], out var p) ? p : 20, 100);
        var page = int.TryParse(q["page"], out var n) ? n : 1;
        var slice = ordered.Skip((page - 1) * perPage).Take(perPage).Select(t => new JsonObject
        {
            ["id"] = t.Uuid.ToString(),
            ["transaction_date"] = WebhookText.VietnamTimeText(t.Time),
            ["account_number"] = t.Account,
            ["va"] = t.VirtualAccount,
            ["transfer_type"] = t.AmountIn > 0 ? "in" : "out",
            ["amount_in"] = t.AmountIn,
            ["amount_out"] = t.AmountOut,
            ["accumulated"] = 0,
            ["transaction_content"] = t.Content,
            ["reference_number"] = t.Reference,
            ["code"] = null,
            ["bank_brand_name"] = "ACB",
            ["bank_account_id"] = "d6719d04-0000-4000-8000-a6006ab65aca",
            ["va_id"] = null,
            ["webhook_success"] = 0,
        }).ToArray<JsonNode?>();
        var lastPage = Math.Max(1, (ordered.Count + perPage - 1) / perPage);
        var body = new JsonObject
        {
            ["status"] = "success",
            ["data"] = new JsonArray(slice),
            ["meta"] = new JsonObject
            {
                ["pagination"] = new JsonObject
                {
                    ["total"] = ordered.Count, ["per_page"] = perPage, ["current_page"] = page, ["last_page"] = lastPage, ["has_more"] = page < lastPage,
                },
            },
        };
        return Task.FromResult(Results.Text(body.ToJsonString(), "application/json"));
    }

    // ---- Casso ---------------------------------------------------------------------------------------------------

    /// <summary>developer.casso.vn › API lấy giao dịch: pages by date, ascending; a negative amount is money going out.</summary>
    private Task<IResult> CassoList(HttpContext c)
    {
        if (c.Request.Headers.Authorization.ToString() != "Apikey " + CassoApiKey)
            return Task.FromResult(Results.Json(new { error = 401, message = "Unauthorized", data = (object?)null }, statusCode: 401));
        var q = c.Request.Query;
        var rows = Snapshot().AsEnumerable();
        if (DateOnly.TryParse(q["fromDate"], CultureInfo.InvariantCulture, out var from)) rows = rows.Where(t => VietnamTime.DayOf(t.Time) >= from);
        var ordered = rows.OrderBy(t => t.Time).ThenBy(t => t.Id).ToList();
        var pageSize = int.TryParse(q["pageSize"], out var s) ? s : 10;
        var page = int.TryParse(q["page"], out var n) ? n : 1;
        var totalPages = Math.Max(1, (ordered.Count + pageSize - 1) / pageSize);
        var records = ordered.Skip((page - 1) * pageSize).Take(pageSize).Select(t => new JsonObject
        {
            ["id"] = t.Id,
            ["tid"] = t.Reference,
            ["description"] = t.Content,
            ["amount"] = t.AmountIn > 0 ? t.AmountIn : -t.AmountOut,
            ["cusum_balance"] = 1070904,
            ["when"] = WebhookText.VietnamTimeText(t.Time).Replace(' ', 'T'),
            ["bankSubAccId"] = t.Account,
            ["paymentChannel"] = "",
            ["virtualAccount"] = t.VirtualAccount,
            ["virtualAccountName"] = "",
            ["corresponsiveName"] = "",
            ["corresponsiveAccount"] = "",
            ["corresponsiveBankId"] = "",
            ["corresponsiveBankName"] = "",
            ["accountId"] = 733,
            ["bankCodeName"] = "acb_digi",
        }).ToArray<JsonNode?>();
        var body = new JsonObject
        {
            ["error"] = 0,
            ["message"] = "success",
            ["data"] = new JsonObject
            {
                ["page"] = page, ["pageSize"] = pageSize, ["nextPage"] = page + 1, ["prevPage"] = page - 1, ["totalPages"] = totalPages,
                ["totalRecords"] = ordered.Count, ["records"] = new JsonArray(records),
            },
        };
        return Task.FromResult(Results.Text(body.ToJsonString(), "application/json"));
    }

    // ---- payOS ---------------------------------------------------------------------------------------------------

    private bool PayOsAuthorised(HttpContext c) =>
        c.Request.Headers["x-client-id"] == PayOsKeys.ClientId && c.Request.Headers["x-api-key"] == PayOsKeys.ApiKey;

    private async Task<IResult> PayOsCreate(HttpContext c)
    {
        if (!PayOsAuthorised(c)) return Results.Json(new { code = "401", desc = "Unauthorized", data = (object?)null }, statusCode: 401);
        using var json = await JsonDocument.ParseAsync(c.Request.Body);
        var r = json.RootElement;
        var orderCode = r.GetProperty("orderCode").GetInt64();
        var amount = r.GetProperty("amount").GetInt64();
        var description = r.GetProperty("description").GetString()!;
        var returnUrl = r.GetProperty("returnUrl").GetString()!;
        var cancelUrl = r.GetProperty("cancelUrl").GetString()!;
        var expected = PayOs.PaymentRequestSignature(orderCode, amount, description, returnUrl, cancelUrl, PayOsKeys.ChecksumKey);
        if (r.GetProperty("signature").GetString() != expected)
            return Results.Json(new { code = "201", desc = "Chữ ký không hợp lệ", data = (object?)null });
        if (links.ContainsKey(orderCode)) return Results.Json(new { code = "231", desc = "Đơn thanh toán đã tồn tại", data = (object?)null });
        var paymentLinkId = Guid.NewGuid().ToString("N");
        // payOS's virtual accounts mix cases (VQRQ00031obce): one per link.
        var account = "VQRQ" + (orderCode % 100_000).ToString("D5", CultureInfo.InvariantCulture) + "ob" + (char)('a' + (int)(orderCode % 26)) + "e";
        var data = new JsonObject
        {
            ["bin"] = "970418",
            ["accountNumber"] = account,
            ["accountName"] = "CONG TY CHO 4.0",
            ["amount"] = amount,
            ["description"] = description,
            ["orderCode"] = orderCode,
            ["currency"] = "VND",
            ["paymentLinkId"] = paymentLinkId,
            ["status"] = "PENDING",
            ["checkoutUrl"] = "https://pay.payos.vn/web/" + paymentLinkId,
            ["qrCode"] = VietQrPayload.Build(new VietQrRequest("970418", account, VietQrService.Account, amount, description)),
        };
        links[orderCode] = data;
        return Results.Text(new JsonObject { ["code"] = "00", ["desc"] = "success", ["data"] = data.DeepClone(), ["signature"] = "fake" }.ToJsonString(),
            "application/json");
    }

    private Task<IResult> PayOsInfo(HttpContext c, string id)
    {
        if (!PayOsAuthorised(c)) return Task.FromResult(Results.Json(new { code = "401", desc = "Unauthorized" }, statusCode: 401));
        var link = long.TryParse(id, out var orderCode) && links.TryGetValue(orderCode, out var l) ? l
            : links.Values.FirstOrDefault(v => v["paymentLinkId"]!.GetValue<string>() == id);
        if (link is null) return Task.FromResult(Results.Json(new { code = "101", desc = "Không tìm thấy đơn thanh toán", data = (object?)null }));
        var data = new JsonObject
        {
            ["id"] = link["paymentLinkId"]!.GetValue<string>(),
            ["orderCode"] = link["orderCode"]!.GetValue<long>(),
            ["amount"] = link["amount"]!.GetValue<long>(),
            ["amountPaid"] = 0,
            ["amountRemaining"] = link["amount"]!.GetValue<long>(),
            ["status"] = "PENDING",
            ["createdAt"] = "2026-12-07T08:00:00+07:00",
            ["transactions"] = new JsonArray(),
            ["canceledAt"] = null,
            ["cancellationReason"] = null,
        };
        return Task.FromResult(Results.Text(new JsonObject { ["code"] = "00", ["desc"] = "success", ["data"] = data, ["signature"] = "fake" }.ToJsonString(),
            "application/json"));
    }

    /// <summary>payOS confirms the address, then posts its signed test delivery there (its documented sample).</summary>
    private async Task<IResult> PayOsConfirm(HttpContext c)
    {
        if (!PayOsAuthorised(c)) return Results.Json(new { code = "401", desc = "Unauthorized" }, statusCode: 401);
        using var json = await JsonDocument.ParseAsync(c.Request.Body);
        var url = json.RootElement.GetProperty("webhookUrl").GetString()!;
        var body = PayOs.Webhook(123, 3000, "VQRIO123", "12345678", "TF230204212323", new DateTimeOffset(2023, 2, 4, 11, 25, 0, TimeSpan.Zero), "",
            PayOsKeys.ChecksumKey, "124c33293c43417ab7879e14c8d9eb18");
        using var http = new HttpClient();
        using var delivered = await http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
        return delivered.IsSuccessStatusCode
            ? Results.Json(new { code = "00", desc = "success" })
            : Results.Json(new { code = "20", desc = $"Webhook url không hợp lệ ({(int)delivered.StatusCode})" });
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
