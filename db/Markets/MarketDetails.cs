using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>What a market manager may change about a market (never its slug: printed posters point at it).</summary>
public sealed record MarketDetailsChange(string Name, string ProvinceCode, string? CommuneCode, string AddressLine, string Description,
    string DescriptionEn, string? OpensAt, string? ClosesAt, string HoursNote, string HoursNoteEn);

internal sealed record MarketPhotoRow(long Id, string? Sha256);

/// <summary>
/// A market's public details and photo, changed by a manager of that market (market_managers) or an admin. Whether the
/// user may is decided in the same SQL statement that changes the row: anyone else changes nothing (→ 404).
/// </summary>
public sealed class MarketDetails(NpgsqlDataSource db)
{
    private const string Managed = """
        (@isAdmin OR EXISTS (SELECT 1 FROM market_managers mm WHERE mm.market_id = m.id AND mm.user_id = @userId))
        """;

    /// <summary>Saves the details; false when the market does not exist or the user does not manage it.</summary>
    public async Task<bool> UpdateAsync(long marketId, long userId, bool isAdmin, MarketDetailsChange change, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition($"""
            UPDATE markets m
            SET name = @Name, province_code = @ProvinceCode, commune_code = @CommuneCode, address_line = @AddressLine,
                description = @Description, description_en = @DescriptionEn,
                opens_at = @OpensAt::time, closes_at = @ClosesAt::time, hours_note = @HoursNote, hours_note_en = @HoursNoteEn,
                updated_at = @now, updated_by = @userId
            WHERE m.id = @marketId AND {Managed}
            """, new
        {
            change.Name, change.ProvinceCode, change.CommuneCode, change.AddressLine, change.Description, change.DescriptionEn,
            change.OpensAt, change.ClosesAt, change.HoursNote, change.HoursNoteEn, now, userId, marketId, isAdmin,
        }, cancellationToken: cancellationToken));
        return changed == 1;
    }

    /// <summary>
    /// Makes <paramref name="blob"/> the market's photo (stored once by its hash); the previous photo's bytes go when nothing
    /// else uses them. False when the user does not manage the market.
    /// </summary>
    public async Task<bool> SetPhotoAsync(long marketId, long userId, bool isAdmin, MediaBlob? blob, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var previous = await connection.QuerySingleOrDefaultAsync<MarketPhotoRow>(new CommandDefinition($"""
            SELECT m.id, m.photo_sha256 AS Sha256 FROM markets m WHERE m.id = @marketId AND {Managed} FOR UPDATE
            """, new { marketId, userId, isAdmin }, tx, cancellationToken: cancellationToken));
        if (previous is null) return false;
        if (blob is not null)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO media_blobs (sha256, content_type, width, height, byte_size, bytes)
                VALUES (@Sha256, @ContentType, @Width, @Height, @size, @Bytes)
                ON CONFLICT (sha256) DO NOTHING
                """, new { blob.Sha256, blob.ContentType, blob.Width, blob.Height, size = blob.Bytes.Length, blob.Bytes }, tx,
                cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE markets SET photo_sha256 = @sha, updated_at = @now, updated_by = @userId WHERE id = @marketId
            """, new { sha = blob?.Sha256, now, userId, marketId }, tx, cancellationToken: cancellationToken));
        if (previous.Sha256 is { } old && old != blob?.Sha256)
            await connection.ExecuteAsync(new CommandDefinition("""
                DELETE FROM media_blobs b
                WHERE b.sha256 = @old
                  AND NOT EXISTS (SELECT 1 FROM product_images i WHERE i.storage_key = b.sha256)
                  AND NOT EXISTS (SELECT 1 FROM markets m WHERE m.photo_sha256 = b.sha256)
                """, new { old }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return true;
    }
}
