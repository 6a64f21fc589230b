using Cho40.Db;
using Cho40.Web.Pages.Shop;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// The settings a real deployment must not run with. Outside the Demo and Development environments the web process
/// refuses to start while any of them is left as it is, naming every setting to change in one message
/// (docs/operations/deploy.md). <c>./cho40 up</c> runs the Demo environment, which allows them.
/// </summary>
public static class ProductionSafety
{
    /// <summary>The environment of <c>./cho40 up</c>, benchmarks and test processes that load the demo data.</summary>
    public const string DemoEnvironment = "Demo";

    public static bool AllowsDemoSettings(IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment(DemoEnvironment);

    /// <summary>Each insecure setting, with what to set instead; empty when the configuration is fit for production.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, Cho40Options options, CollectionAccount collection)
    {
        var problems = new List<string>();
        if (options.SeedDemoData)
            problems.Add($"Cho40:SeedDemoData is true: an empty database would get the demo accounts, admin {DemoData.Accounts[0].Phone} " +
                $"included, with the published password '{DemoData.Password}'. Set Cho40__SeedDemoData=false.");

        var account = collection.AccountNumber?.Trim() ?? "";
        if (account is CollectionAccount.DemoAccountNumber or CollectionAccount.DemoStallAccountNumber)
            problems.Add($"Cho40:Collection:AccountNumber is the demo account {account}: " +
                "shoppers would pay an account the platform does not own. Set Cho40__Collection__Bin, Cho40__Collection__AccountNumber " +
                "and Cho40__Collection__AccountName to the platform's own collection account.");
        else if (account.Length is 0 or > 19 || !account.All(char.IsAsciiDigit))
            problems.Add($"Cho40:Collection:AccountNumber '{account}' is not an account number (up to 19 digits). Set " +
                "Cho40__Collection__AccountNumber (with __Bin and __AccountName) to the platform's own collection account.");

        if (!string.IsNullOrWhiteSpace(configuration["Cho40:Trace:PublicBaseUrl"]))
            problems.Add("Cho40:Trace:PublicBaseUrl has been renamed Cho40:PublicBaseUrl (it now serves every public link): " +
                "set Cho40__PublicBaseUrl and remove Cho40__Trace__PublicBaseUrl.");
        var baseUrl = PublicBaseUrl.Parse(options.PublicBaseUrl);
        if (baseUrl is null)
            problems.Add(string.IsNullOrWhiteSpace(options.PublicBaseUrl)
                ? "Cho40:PublicBaseUrl is not set: links, printed trace codes and EPCIS ids would follow the Host header of each " +
                  "request, which anyone can forge. Set Cho40__PublicBaseUrl to the site's address, e.g. https://cho40.vn."
                : $"Cho40:PublicBaseUrl '{options.PublicBaseUrl}' is not an absolute http(s) address without a path, query or " +
                  "fragment. Set Cho40__PublicBaseUrl to e.g. https://cho40.vn.");

        var allowedHosts = (configuration["AllowedHosts"] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (allowedHosts.Length == 0 || allowedHosts.Contains("*"))
            problems.Add("AllowedHosts is '*' (or empty): the site answers requests for any host name. Set AllowedHosts to the " +
                $"site's host names separated by ';', e.g. AllowedHosts={baseUrl?.Host ?? "cho40.vn"}.");
        else if (baseUrl is not null && !allowedHosts.Any(h => HostMatches(h, baseUrl.Host)))
            problems.Add($"AllowedHosts '{string.Join(';', allowedHosts)}' does not include {baseUrl.Host}, the host of Cho40:PublicBaseUrl: " +
                "the links the site prints would be refused. Add it to AllowedHosts.");
        return problems;
    }

    /// <summary>Throws, naming every problem, when the environment is not Demo/Development and the settings are unsafe.</summary>
    public static void ThrowIfUnsafe(IHostEnvironment environment, IConfiguration configuration, Cho40Options options, CollectionAccount collection)
    {
        if (AllowsDemoSettings(environment)) return;
        var problems = Problems(configuration, options, collection);
        if (problems.Count == 0) return;
        throw new InvalidOperationException(
            $"Chợ 4.0 will not start in the {environment.EnvironmentName} environment with demo or open settings " +
            $"({problems.Count}):\n - " + string.Join("\n - ", problems) +
            $"\nFor a demo on this machine use ./cho40 up (environment {DemoEnvironment}). See docs/operations/deploy.md.");
    }

    private static bool HostMatches(string pattern, string host) =>
        pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The site's public address (Cho40:PublicBaseUrl): every link, printed code and id the platform hands out starts with it.</summary>
public static class PublicBaseUrl
{
    /// <summary>The address without a trailing slash, or null when it is not an absolute http(s) origin.</summary>
    public static Uri? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(value.Trim().TrimEnd('/'), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0
            || uri.UserInfo.Length > 0) return null;
        return uri;
    }

    /// <summary>
    /// "https://cho40.vn": the configured address; only where demo settings are allowed and none is configured, the
    /// address the request came in on.
    /// </summary>
    public static string Of(HttpRequest request, Cho40Options options) =>
        Parse(options.PublicBaseUrl) is { } uri ? uri.GetLeftPart(UriPartial.Authority) : $"{request.Scheme}://{request.Host}";
}
