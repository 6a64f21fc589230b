using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Jobs.Infrastructure;

/// <summary>The data-protection key ring in PostgreSQL, shared by every web and job process.</summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource db) : IXmlRepository
{
    // IXmlRepository is synchronous by contract; these calls are rare (start-up and key rotation).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = db.OpenConnection();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY id")
            .Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = db.OpenConnection();
        connection.Execute("""
            INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@friendlyName, @xml)
            ON CONFLICT (friendly_name) DO NOTHING
            """, new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}

public static class KeyRing
{
    /// <summary>
    /// ASP.NET data protection with its key ring in PostgreSQL, the same in every process: cookies and antiforgery tokens
    /// of any web process are readable by the others, and secrets sealed by one process (<see cref="IntegrationSecrets"/>)
    /// open in any other, job processes included.
    /// </summary>
    public static IServiceCollection AddCho40KeyRing(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Cho40");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new PostgresXmlRepository(db));
        return services;
    }
}
