using Cho40.Db;

namespace Cho40.Web.Infrastructure;

/// <summary>What the province → commune partial needs to render.</summary>
public sealed record AddressPicker(string Prefix, string? ProvinceCode, string? CommuneCode,
    IReadOnlyList<Province> Provinces, IReadOnlyList<Commune> Communes, string? ProvinceError, string? CommuneError)
{
    public static async Task<AddressPicker> LoadAsync(AdminUnits units, string prefix, string? provinceCode, string? communeCode,
        string? provinceError = null, string? communeError = null, CancellationToken cancellationToken = default)
    {
        var provinces = await units.ProvincesAsync(cancellationToken);
        var communes = string.IsNullOrEmpty(provinceCode) ? [] : await units.CommunesAsync(provinceCode, cancellationToken);
        return new AddressPicker(prefix, provinceCode, communeCode, provinces, communes, provinceError, communeError);
    }
}

public static class AddressApi
{
    /// <summary>
    /// GET /api/communes?province={code}: the communes of a province, <c>[{"code","name"}]</c>, for filling the commune list
    /// in place (checkout). The units change by law, not by the hour: shared caches may keep it a day.
    /// </summary>
    public static WebApplication MapAddressApi(this WebApplication app)
    {
        app.MapGet("/api/communes", async (string? province, AdminUnits units, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(province) || province.Length > 10 || !province.All(char.IsAsciiLetterOrDigit))
                return Results.Problem(statusCode: 400, title: "Thiếu mã tỉnh",
                    detail: "Cần tham số province là mã tỉnh / thành phố (ví dụ province=19).");
            var communes = await units.CommunesAsync(province, cancellationToken);
            if (communes.Count == 0)
                return Results.Problem(statusCode: 404, title: "Không có tỉnh này", detail: $"Không có tỉnh / thành phố mã {province}.");
            http.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Json(communes.Select(c => new { code = c.Code, name = c.Name }));
        }).RequireRateLimiting(RateLimits.PublicApiPolicy);
        return app;
    }
}
