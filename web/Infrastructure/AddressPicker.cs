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
