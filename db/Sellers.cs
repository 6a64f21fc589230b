using Dapper;
using Npgsql;

namespace Cho40.Db;

public sealed record SellerApplication(long Id, string Name, string Kind, string? TaxCode, string ProvinceName,
    string? CommuneName, string Status, DateTimeOffset CreatedAt, string ApplicantPhone);

public sealed record NewSeller(string Name, string Kind, string? TaxCode, string ProvinceCode, string? CommuneCode,
    string AddressLine, string Description);

/// <summary>Cooperatives and farm households that sell; new ones wait for an admin's approval.</summary>
public sealed class Sellers(NpgsqlDataSource db)
{
    /// <summary>Registers a seller in 'pending' status with the applicant as its owner.</summary>
    public async Task<long> ApplyAsync(long applicantUserId, NewSeller seller, string slug, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // A suffix keeps the slug unique when two sellers share a name.
        var uniqueSlug = await connection.QuerySingleAsync<string>(new CommandDefinition("""
            SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM sellers WHERE slug = @slug) THEN @slug
                        ELSE @slug || '-' || (SELECT count(*) + 1 FROM sellers WHERE slug LIKE @slug || '-%') END
            """, new { slug }, tx, cancellationToken: cancellationToken));
        var id = await connection.QuerySingleAsync<long>(new CommandDefinition("""
            INSERT INTO sellers (slug, name, kind, tax_code, province_code, commune_code, address_line, description)
            VALUES (@uniqueSlug, @Name, @Kind, @TaxCode, @ProvinceCode, @CommuneCode, @AddressLine, @Description)
            RETURNING id
            """, new { uniqueSlug, seller.Name, seller.Kind, seller.TaxCode, seller.ProvinceCode, seller.CommuneCode,
                seller.AddressLine, seller.Description }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(
            new CommandDefinition("INSERT INTO seller_members (seller_id, user_id, role) VALUES (@id, @applicantUserId, 'owner')",
            new { id, applicantUserId }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<IReadOnlyList<SellerApplication>> ListAsync(string? status, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SellerApplication>(new CommandDefinition("""
            SELECT s.id, s.name, s.kind, s.tax_code AS TaxCode, p.name AS ProvinceName, c.name AS CommuneName,
                   s.status, s.created_at AS CreatedAt,
                   COALESCE((SELECT u.phone FROM seller_members m JOIN users u ON u.id = m.user_id
                             WHERE m.seller_id = s.id AND m.role = 'owner' ORDER BY u.id LIMIT 1), '') AS ApplicantPhone
            FROM sellers s
            JOIN provinces p ON p.code = s.province_code
            LEFT JOIN communes c ON c.code = s.commune_code
            WHERE @status::text IS NULL OR s.status = @status
            ORDER BY s.status = 'pending' DESC, s.created_at DESC
            """, new { status }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Approves or rejects a pending seller. Approval also grants the owner the seller-member role.
    /// Returns false when the seller was not pending (already reviewed, or no such seller).
    /// </summary>
    public async Task<bool> ReviewAsync(long sellerId, bool approve, long reviewerUserId, string? note, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE sellers SET status = @status, reviewed_by = @reviewerUserId, reviewed_at = @now, review_note = @note
            WHERE id = @sellerId AND status = 'pending'
            """, new { sellerId, status = approve ? "approved" : "rejected", reviewerUserId, now, note }, tx,
            cancellationToken: cancellationToken));
        if (changed == 0) return false;
        if (approve)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO user_roles (user_id, role)
                SELECT user_id, 'seller_member' FROM seller_members WHERE seller_id = @sellerId
                ON CONFLICT DO NOTHING
                """, new { sellerId }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}

public sealed record SellerMembership(long SellerId, string SellerName, string SellerSlug, string Role, string Status);

/// <summary>Which sellers a user may act for: the basis of every seller-side authorisation check.</summary>
public sealed class SellerMemberships(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<SellerMembership>> OfUserAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SellerMembership>(new CommandDefinition("""
            SELECT s.id AS SellerId, s.name AS SellerName, s.slug AS SellerSlug, m.role, s.status
            FROM seller_members m JOIN sellers s ON s.id = m.seller_id
            WHERE m.user_id = @userId
            ORDER BY s.name
            """, new { userId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>True when the user is a member of this seller and the seller is approved.</summary>
    public async Task<bool> CanActForAsync(long userId, long sellerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM seller_members m JOIN sellers s ON s.id = m.seller_id
                           WHERE m.user_id = @userId AND m.seller_id = @sellerId AND s.status = 'approved')
            """, new { userId, sellerId }, cancellationToken: cancellationToken));
    }
}
