using Cho40.Db;

namespace Cho40.Web.Pages.Shop;

/// <summary>The platform's own bank account that VietQR transfers for orders go to (configuration "Cho40:Collection").</summary>
public sealed class CollectionAccount
{
    /// <summary>The demo's collection account: a production start refuses it (ProductionSafety).</summary>
    public const string DemoAccountNumber = "1020040040";

    /// <summary>Demo stall A01's account, the demo collection account before issue 12: refused in production too.</summary>
    public const string DemoStallAccountNumber = "1023456789";

    /// <summary>6-digit bank BIN (NAPAS). Demo default: Vietcombank.</summary>
    public string Bin { get; set; } = "970436";
    /// <summary>
    /// Demo default. Never one of a stall's accounts: money credited to an account that is both the platform's and a
    /// stall's is ambiguous and waits in the inbox (money goes only where it was sent). A production start refuses it.
    /// </summary>
    public string AccountNumber { get; set; } = DemoAccountNumber;
    public string AccountName { get; set; } = "CONG TY CHO 4.0 (DEMO)";
}

/// <summary>Shop settings (configuration "Cho40:Shop").</summary>
public sealed class ShopOptions
{
    /// <summary>Flat delivery fee added to each seller's order.</summary>
    public long ShippingFeeVnd { get; set; } = 30_000;

    /// <summary>How long an unpaid transfer order keeps its goods (orders.reserved_until, shown on its page) before it is cancelled.</summary>
    public int TransferHoldHours { get; set; } = 24;

    /// <summary>
    /// Reuse text search results for 30 s (listings without text always are). Off, every search reads the database;
    /// the benchmark measures both (docs/quality/benchmarks.md).
    /// </summary>
    public bool CacheTextSearches { get; set; } = true;
}

public static class ShopSetup
{
    public const string SearchDataSourceKey = "search";

    /// <summary>Shop: browsing, search, cart, checkout and orders.</summary>
    public static IServiceCollection AddCho40Shop(this IServiceCollection services, IConfiguration configuration)
    {
        // Listings and search results are reused for a few seconds (a cache of their own, bounded to 10,000 results).
        // Text searches run on a data source of their own whose plans always see the actual words (SearchConnectionString).
        var shopOptions = configuration.GetSection("Cho40:Shop").Get<ShopOptions>() ?? new ShopOptions();
        services.AddKeyedSingleton(SearchDataSourceKey, (_, _) => Npgsql.NpgsqlDataSource.Create(ShopQueries.SearchConnectionString(
            Database.ForApplication(Database.ConnectionStringFrom(configuration["DATABASE_URL"]
                ?? throw new InvalidOperationException("DATABASE_URL is not set"))))));
        // Text searches are found and ranked in memory (CatalogSearchIndex); the SQL search stays for texts without words.
        services.AddSingleton<CatalogSearchIndex>();
        services.AddHostedService<CatalogSearchWarmUp>();
        services.AddHostedService<CatalogSearchListener>();
        services.AddSingleton(sp => new ShopQueries(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(),
            new Microsoft.Extensions.Caching.Memory.MemoryCache(new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions { SizeLimit = 10_000 }),
            sp.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(SearchDataSourceKey), shopOptions.CacheTextSearches,
            sp.GetRequiredService<CatalogSearchIndex>(), sp.GetRequiredService<AdminUnits>()));
        services.AddSingleton<Orders>();
        services.AddSingleton(configuration.GetSection("Cho40:Collection").Get<CollectionAccount>() ?? new CollectionAccount());
        services.AddSingleton(shopOptions);
        return services;
    }
}

/// <summary>Starts building the catalogue search index when the site starts, so the first shoppers do not wait for it.</summary>
public sealed class CatalogSearchWarmUp(CatalogSearchIndex index) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        index.StartBuilding();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
