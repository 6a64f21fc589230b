using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Cho40.Web.Infrastructure;

/// <summary>The data-protection key ring in PostgreSQL, shared by all web processes.</summary>
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
