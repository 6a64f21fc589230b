using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;
using SkiaSharp;

namespace Cho40.Tests.Catalog;

/// <summary>Helpers for the listings tests: demo sellers, real images made with SkiaSharp, multipart form posts.</summary>
public static class CatalogTestKit
{
    public const string TanCuongPhone = "0900000003"; // member of HTX Chè Tân Cương
    public const string LaBangPhone = "0900000007";   // member of HTX Chè La Bằng

    public static async Task<long> ProductIdOfAsync(Cho40App app, string sellerSlug)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.QuerySingleAsync<long>(
            "SELECT p.id FROM products p JOIN sellers s ON s.id = p.seller_id WHERE s.slug = @sellerSlug ORDER BY p.id LIMIT 1",
            new { sellerSlug });
    }

    public static async Task<T> ScalarAsync<T>(Cho40App app, string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException($"no value: {sql}");
    }

    public static async Task ExecuteAsync(Cho40App app, string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.ExecuteAsync(sql, args);
    }

    /// <summary>A real photo-like image (gradient and shapes) encoded by SkiaSharp.</summary>
    public static byte[] Image(SKEncodedImageFormat format, int width = 1200, int height = 800, SKColor? colour = null)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var paint = new SKPaint
            {
                Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                    [colour ?? SKColors.DarkGreen, SKColors.Khaki], SKShaderTileMode.Clamp),
            };
            canvas.DrawRect(0, 0, width, height, paint);
            using var circle = new SKPaint { Color = SKColors.OrangeRed, IsAntialias = true };
            canvas.DrawCircle(width / 2f, height / 2f, Math.Min(width, height) / 4f, circle);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 85);
        return data.ToArray();
    }

    /// <summary>
    /// A tiny PNG whose header claims 100,000 × 100,000 pixels (40 GB decoded): a decompression bomb. Valid
    /// signature, IHDR with a correct CRC, one small IDAT, IEND.
    /// </summary>
    public static byte[] PngBombHeader(int width = 100_000, int height = 100_000)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        WriteChunk(stream, "IHDR", ihdr);
        // A zlib stream of zeros: compresses ~1000:1, as a real bomb would.
        using (var compressed = new MemoryStream())
        {
            using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
                z.Write(new byte[1_000_000]);
            WriteChunk(stream, "IDAT", compressed.ToArray());
        }
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. typeBytes, .. data]));
        stream.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Posts a multipart form the way a browser does: the form's antiforgery token, fields and files.</summary>
    public static async Task<HttpResponseMessage> PostMultipartAsync(PageClient client, string pageUrl, string formSelector,
        IDictionary<string, string> fields, params (string Field, string FileName, string ContentType, byte[] Bytes)[] files)
    {
        var (response, page) = await client.GetPageAsync(pageUrl);
        if (response.StatusCode != HttpStatusCode.OK) return response;
        return await PostMultipartAsync(client, page, formSelector, fields, files);
    }

    public static async Task<HttpResponseMessage> PostMultipartAsync(PageClient client, IDocument page, string formSelector,
        IDictionary<string, string> fields, params (string Field, string FileName, string ContentType, byte[] Bytes)[] files)
    {
        var form = page.QuerySelector<IHtmlFormElement>(formSelector) ?? throw new InvalidOperationException($"no form {formSelector}");
        var content = new MultipartFormDataContent();
        foreach (var input in form.Elements.OfType<IHtmlInputElement>())
        {
            if (input.Type is "file" or "submit" or "button" || string.IsNullOrEmpty(input.Name) || fields.ContainsKey(input.Name)) continue;
            if (input.Type is "radio" or "checkbox" && !input.IsChecked) continue;
            content.Add(new StringContent(input.Value), input.Name);
        }
        foreach (var select in form.Elements.OfType<IHtmlSelectElement>())
            if (!string.IsNullOrEmpty(select.Name) && !fields.ContainsKey(select.Name) && !select.IsDisabled)
                content.Add(new StringContent(select.Value ?? ""), select.Name);
        foreach (var area in form.Elements.OfType<IHtmlTextAreaElement>())
            if (!string.IsNullOrEmpty(area.Name) && !fields.ContainsKey(area.Name)) content.Add(new StringContent(area.Value), area.Name);
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        foreach (var (field, fileName, contentType, bytes) in files)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            content.Add(file, field, fileName);
        }
        var action = string.IsNullOrEmpty(form.Action) ? page.Url : form.Action;
        return await client.Http.PostAsync(new Uri(new Uri(page.Url), action).PathAndQuery, content);
    }
}
