using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Cho40.Db;

public sealed partial class Orders
{
    /// <summary>
    /// A guest finds an order again with the phone number given at checkout and the order code: the order's access token
    /// when both match, else null. One indexed lookup by code whatever the input, and the phone compared in constant time,
    /// so the answer and its timing do not tell whether the code exists.
    /// </summary>
    public async Task<string?> FindForGuestAsync(string orderCode, string phone, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Phone, string Token)?>(new CommandDefinition("""
            SELECT customer_phone, access_token FROM orders WHERE code = @orderCode
            """, new { orderCode }, cancellationToken: cancellationToken));
        // Compare against a dummy when there is no row: the same work either way.
        var stored = Encoding.ASCII.GetBytes(row?.Phone ?? "0000000000");
        var given = Encoding.ASCII.GetBytes(phone.Length == 10 ? phone : "xxxxxxxxxx");
        var match = CryptographicOperations.FixedTimeEquals(stored, given);
        return row is { } r && match ? r.Token : null;
    }
}
