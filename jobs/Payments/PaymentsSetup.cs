using System.Globalization;
using System.Net;
using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Cho40.Jobs.Payments;

/// <summary>The "Cho40:Payments" configuration section (environment variables <c>Cho40__Payments__Name</c>).</summary>
public sealed class PaymentsOptions
{
    /// <summary>A stall payment above this is booked and also flagged in its market's inbox ("above_ceiling").</summary>
    public long StallPaymentCeilingVnd { get; set; } = 50_000_000;

    /// <summary>Stall and checkout screens warn above this amount per transfer (banks' own NAPAS limits; the codec does not refuse).</summary>
    public long TransferWarningVnd { get; set; } = 500_000_000;

    /// <summary>How often the safety net reads each connection's transactions API (minutes).</summary>
    public int SyncMinutes { get; set; } = 15;

    /// <summary>How far back a connection's first read goes, and how far back Casso's date window reaches (hours).</summary>
    public int SyncLookbackHours { get; set; } = 48;

    /// <summary>A connection whose reads failed this many times in a row is flagged on its pages.</summary>
    public int SyncFailuresToFlag { get; set; } = 3;

    /// <summary>Rows per page: SePay v2 and Casso (SePay v2 allows at most 100).</summary>
    public int SyncPageSize { get; set; } = 100;

    /// <summary>SePay v1's <c>limit</c> (at most 5000).</summary>
    public int SePayV1Limit { get; set; } = 5000;

    /// <summary>Most pages one read of one connection goes through (the rest waits for the next read).</summary>
    public int SyncMaxPages { get; set; } = 50;

    /// <summary>How long a rotated secret is still accepted (hours), while the person enters the new one in the service.</summary>
    public int SecretGraceHours { get; set; } = 24;

    public int AccessTokenMinutes { get; set; } = 60;

    public TimeSpan AccessTokenLifetime => TimeSpan.FromMinutes(AccessTokenMinutes);

    /// <summary>payOS orderCode of a shop order's payment link: the order id plus this.</summary>
    public long PayOsOrderCodeOffset { get; set; } = 1_000_000;

    /// <summary>Attempts at creating a payOS link before the order page stops waiting for it.</summary>
    public int PayOsLinkAttempts { get; set; } = 8;

    // The services' addresses (tests point them at a local fake server).
    public string SePayApiV1BaseUrl { get; set; } = SePay.DefaultV1BaseUrl;
    public string SePayApiV2BaseUrl { get; set; } = SePay.DefaultV2BaseUrl;
    public string CassoApiBaseUrl { get; set; } = Casso.DefaultApiBaseUrl;
    public string PayOsApiBaseUrl { get; set; } = PayOs.DefaultApiBaseUrl;
    public string PayOsCheckoutBaseUrl { get; set; } = PayOs.DefaultCheckoutBaseUrl;

    // The services' API clients: each attempt has a timeout, failures are retried with exponential backoff (waiting as long
    // as a 429's Retry-After says, up to HttpMaxRetryAfterSeconds), and a service failing half its calls is left alone for
    // a while (circuit breaker) so one outage does not tie up every job.
    public double HttpAttemptTimeoutSeconds { get; set; } = 15;
    public double HttpTotalTimeoutSeconds { get; set; } = 90;
    public int HttpRetries { get; set; } = 3;
    public int HttpRetryDelayMilliseconds { get; set; } = 1000;
    public int HttpMaxRetryAfterSeconds { get; set; } = 30;
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;
    public int CircuitBreakerSamplingSeconds { get; set; } = 60;
    public int CircuitBreakerBreakSeconds { get; set; } = 30;
}

public static class PaymentsSetup
{
    /// <summary>HTTP client names: one per service, so one service's outage opens only its own circuit.</summary>
    public static string ClientName(string provider) => "bank-api-" + provider;

    /// <summary>
    /// Bank connections and their secrets, sealed with the key ring in PostgreSQL: what the web and job processes use, and
    /// what a test or benchmark needs to make a connection another process can open.
    /// </summary>
    public static IServiceCollection AddCho40BankConnections(this IServiceCollection services)
    {
        services.AddCho40KeyRing();
        services.TryAddSingleton<IntegrationSecrets>();
        services.TryAddSingleton<BankConnections>();
        return services;
    }

    /// <summary>
    /// Bank notifications end to end, for the web process and job processes alike: the three services' formats, the
    /// intake and matching, connections and their encrypted secrets, the safety net (recurring job) and payOS links.
    /// </summary>
    public static IServiceCollection AddCho40Payments(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Cho40:Payments").Get<PaymentsOptions>() ?? new PaymentsOptions();
        services.TryAddSingleton(options);
        services.TryAddSingleton(new PlatformAccount(configuration["Cho40:Collection:AccountNumber"] ?? PlatformAccount.DemoAccountNumber));
        services.AddCho40BankConnections();
        services.TryAddSingleton<Db.Payments>();
        services.TryAddSingleton<PayOsLinks>();
        services.TryAddSingleton<Orders>();

        services.AddSingleton<IBankProvider, SePay>();
        services.AddSingleton<IBankProvider, Casso>();
        services.AddSingleton<IBankProvider, PayOs>();
        // Money goes only where it was sent: each transfer is first resolved to the owner of the account credited
        // (CreditedAccounts), then offered only to the matchers of that owner, by Order — a stall's: its payment requests
        // by reference (100), else its static sign (900); the collection account's: payOS links by orderCode (150), shop
        // orders by code in the text (200).
        services.TryAddSingleton<CreditedAccounts>();
        services.AddSingleton<IPaymentMatcher, PaymentRequestMatcher>();
        services.AddSingleton<IPaymentMatcher, StallAccountMatcher>();
        services.AddSingleton<IPaymentMatcher, PayOsOrderMatcher>();
        services.AddSingleton<IPaymentMatcher, OrderCodeMatcher>();
        services.TryAddSingleton<PaymentMatching>();
        services.TryAddSingleton<PaymentIntake>();

        foreach (var provider in new[] { "sepay", "casso", "payos" })
            services.AddHttpClient(ClientName(provider)).AddResilienceHandler("bank-api", builder => Resilience(builder, options));
        services.TryAddSingleton<BankApis>();
        services.AddTransient<BankSyncJob>();
        services.AddTransient<PayOsLinkJob>();
        services.AddSingleton<BankSyncSchedule>();
        services.AddHostedService(sp => sp.GetRequiredService<BankSyncSchedule>());
        return services;
    }

    private static void Resilience(ResiliencePipelineBuilder<HttpResponseMessage> builder, PaymentsOptions o)
    {
        builder.AddTimeout(TimeSpan.FromSeconds(o.HttpTotalTimeoutSeconds));
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = o.HttpRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(o.HttpRetryDelayMilliseconds),
            // 429 and 503 say how long to wait: Retry-After (SePay v2, payOS, Casso) or SePay v1's own header.
            DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, o)),
        });
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            MinimumThroughput = o.CircuitBreakerMinimumThroughput,
            FailureRatio = o.CircuitBreakerFailureRatio,
            SamplingDuration = TimeSpan.FromSeconds(Math.Max(o.CircuitBreakerSamplingSeconds, 2 * o.HttpAttemptTimeoutSeconds)),
            BreakDuration = TimeSpan.FromSeconds(o.CircuitBreakerBreakSeconds),
        });
        builder.AddTimeout(TimeSpan.FromSeconds(o.HttpAttemptTimeoutSeconds));
    }

    /// <summary>The wait a 429/503 asks for (capped), or null for the exponential backoff.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, PaymentsOptions o)
    {
        if (response is null || response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) return null;
        TimeSpan? wait = null;
        if (response.Headers.RetryAfter is { } retryAfter)
            wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        else if (response.Headers.TryGetValues("x-sepay-userapi-retry-after", out var values)
                 && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            wait = TimeSpan.FromSeconds(seconds);
        if (wait is not { } w) return null;
        var cap = TimeSpan.FromSeconds(o.HttpMaxRetryAfterSeconds);
        return w < TimeSpan.Zero ? TimeSpan.Zero : w > cap ? cap : w;
    }
}
