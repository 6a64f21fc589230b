using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>A seller's product photos, and the stored bytes behind every product image.</summary>
public sealed class CatalogPhotos(NpgsqlDataSource db)
{

    public async Task<IReadOnlyList<CatalogImage>> ImagesAsync(SellerScope scope, long productId,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CatalogImage>(new CommandDefinition($"""
            SELECT i.id, i.storage_key AS Sha256, i.width, i.height, i.sort_order AS SortOrder
            FROM product_images i JOIN products p ON p.id = i.product_id
            WHERE i.product_id = @productId AND p.seller_id = @SellerId AND {CatalogScope.InScope}
            ORDER BY i.sort_order, i.id
            """, new { productId, scope.SellerId, scope.UserId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Adds a photo as the product's last one. The bytes are stored once whatever the number of products
    /// (or sellers) that use them. Adding the same photo twice to one product returns the existing image.
    /// Null when the product is out of scope.
    /// </summary>
    public async Task<long?> AddImageAsync(SellerScope scope, long productId, MediaBlob blob, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAddImageAsync(scope, productId, blob, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && attempt < 3)
            {
                // The same blob was being deleted (its last use removed) while we added it: add it again.
            }
        }
    }

    private async Task<long?> TryAddImageAsync(SellerScope scope, long productId, MediaBlob blob, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Lock the product row: concurrent uploads to one product get distinct sort orders.
        var found = await connection.ExecuteScalarAsync<long?>(new CommandDefinition($"""
            SELECT p.id FROM products p WHERE p.id = @productId AND p.seller_id = @SellerId AND {CatalogScope.InScope} FOR UPDATE
            """, new { productId, scope.SellerId, scope.UserId }, tx, cancellationToken: cancellationToken));
        if (found is null) return null;
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO media_blobs (sha256, content_type, width, height, byte_size, bytes)
            VALUES (@Sha256, @ContentType, @Width, @Height, @size, @Bytes)
            ON CONFLICT (sha256) DO NOTHING
            """, new { blob.Sha256, blob.ContentType, blob.Width, blob.Height, size = blob.Bytes.Length, blob.Bytes }, tx,
            cancellationToken: cancellationToken));
        var id = await connection.QuerySingleAsync<long>(new CommandDefinition("""
            WITH added AS (
                INSERT INTO product_images (product_id, storage_key, content_type, width, height, sort_order)
                SELECT @productId, @Sha256, @ContentType, @Width, @Height,
                       COALESCE((SELECT max(sort_order) + 1 FROM product_images WHERE product_id = @productId), 0)
                ON CONFLICT (product_id, storage_key) DO NOTHING
                RETURNING id)
            SELECT id FROM added
            UNION ALL SELECT id FROM product_images WHERE product_id = @productId AND storage_key = @Sha256
            LIMIT 1
            """, new { productId, blob.Sha256, blob.ContentType, blob.Width, blob.Height }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(
            new CommandDefinition("UPDATE products SET updated_at = now() WHERE id = @productId", new { productId }, tx,
            cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>Removes a photo from a product; the stored bytes go too when no product uses them any more.</summary>
    public async Task<bool> DeleteImageAsync(SellerScope scope, long productId, long imageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var key = await connection.ExecuteScalarAsync<string?>(new CommandDefinition($"""
            DELETE FROM product_images i USING products p
            WHERE i.id = @imageId AND i.product_id = @productId AND p.id = i.product_id AND p.seller_id = @SellerId AND {CatalogScope.InScope}
            RETURNING i.storage_key
            """, new { imageId, productId, scope.SellerId, scope.UserId }, tx, cancellationToken: cancellationToken));
        if (key is null) return false;
        await connection.ExecuteAsync(new CommandDefinition("""
            DELETE FROM media_blobs b
            WHERE b.sha256 = @key AND NOT EXISTS (SELECT 1 FROM product_images i WHERE i.storage_key = b.sha256)
              AND NOT EXISTS (SELECT 1 FROM markets m WHERE m.photo_sha256 = b.sha256)
            """, new { key }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Moves a photo one place earlier (-1) or later (+1); the first photo is the cover.</summary>
    public async Task<bool> MoveImageAsync(SellerScope scope, long productId, long imageId, int direction,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var order = (await connection.QueryAsync<long>(new CommandDefinition($"""
            SELECT i.id FROM product_images i JOIN products p ON p.id = i.product_id
            WHERE i.product_id = @productId AND p.seller_id = @SellerId AND {CatalogScope.InScope}
            ORDER BY i.sort_order, i.id
            FOR UPDATE OF i
            """, new { productId, scope.SellerId, scope.UserId }, tx, cancellationToken: cancellationToken))).AsList();
        var at = order.IndexOf(imageId);
        if (at < 0) return false;
        var to = Math.Clamp(at + Math.Sign(direction), 0, order.Count - 1);
        (order[at], order[to]) = (order[to], order[at]);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE product_images i SET sort_order = o.position
            FROM unnest(@ids::bigint[]) WITH ORDINALITY AS o (id, position)
            WHERE i.id = o.id AND i.product_id = @productId
            """, new { ids = order.ToArray(), productId }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// The image behind <c>/img/p/{imageId}/…</c>: public when its product is published by an approved seller;
    /// otherwise only the seller's own members may see it (null for everyone else).
    /// </summary>
    public async Task<ImageLookup?> FindImageAsync(long imageId, long? userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ImageLookup>(new CommandDefinition("""
            SELECT i.storage_key AS Sha256, i.content_type AS ContentType,
                   (p.status = 'published' AND s.status = 'approved') AS IsPublic
            FROM product_images i JOIN products p ON p.id = i.product_id JOIN sellers s ON s.id = p.seller_id
            WHERE i.id = @imageId
              AND ((p.status = 'published' AND s.status = 'approved')
                   OR EXISTS (SELECT 1 FROM seller_members m WHERE m.seller_id = p.seller_id AND m.user_id = @userId))
            """, new { imageId, userId }, cancellationToken: cancellationToken));
    }

    public async Task<byte[]?> BlobBytesAsync(string sha256, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<byte[]?>(
            new CommandDefinition("SELECT bytes FROM media_blobs WHERE sha256 = @sha256", new { sha256 },
            cancellationToken: cancellationToken));
    }
}
