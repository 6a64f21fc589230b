using System.Net;
using Cho40.Tests.Infrastructure;
using SkiaSharp;
using Xunit.Abstractions;
using static Cho40.Tests.Catalog.CatalogTestKit;

namespace Cho40.Tests.Catalog;

public sealed class CatalogPageTests(DemoAppFixture fixture, ITestOutputHelper output) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    private async Task<PageClient> SellerAsync(string phone)
    {
        var client = App.NewClient();
        await client.SignInAsync(phone);
        return client;
    }

    private async Task<int> CategoryIdAsync(string slug) => await ScalarAsync<int>(App, "SELECT id FROM categories WHERE slug = @slug", new { slug });

    private async Task<long> CreateAsync(PageClient client, string name, string price = "150.000 đ")
    {
        var response = await client.SubmitFormAsync("/Seller/Catalog/New", "main form.form", new Dictionary<string, string>
        {
            ["Input.Name"] = name, ["Input.CategoryId"] = (await CategoryIdAsync("che-xanh")).ToString(), ["Input.Unit"] = "gói 200 g",
            ["Input.Price"] = price, ["Input.Stock"] = "25", ["Input.Ocop"] = "4",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return long.Parse(response.Headers.Location!.OriginalString.Split('/').Last());
    }

    [Fact]
    public async Task A_seller_creates_a_listing_with_errors_shown_next_to_the_fields_then_edits_and_publishes_it()
    {
        using var seller = await SellerAsync(TanCuongPhone);
        var category = (await CategoryIdAsync("che-xanh")).ToString();

        var invalid = await seller.SubmitFormAsync("/Seller/Catalog/New", "main form.form", new Dictionary<string, string>
        {
            ["Input.Name"] = "", ["Input.CategoryId"] = "", ["Input.Unit"] = "", ["Input.Price"] = "150000,5",
            ["Input.Stock"] = "-3", ["Input.Ocop"] = "2", ["Input.ProvinceCode"] = "",
        });
        Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
        var page = await PageClient.ParseAsync(invalid);
        string ErrorFor(string field) => page.QuerySelector($"[data-valmsg-for='{field}']")?.TextContent ?? "";
        Assert.Contains("Vui lòng nhập tên sản phẩm", ErrorFor("Input.Name"));
        Assert.Contains("Vui lòng chọn danh mục", ErrorFor("Input.CategoryId"));
        Assert.Contains("Vui lòng nhập đơn vị bán", ErrorFor("Input.Unit"));
        Assert.Contains("không có số lẻ", ErrorFor("Input.Price"));
        Assert.Contains("Tồn kho phải là số nguyên", ErrorFor("Input.Stock"));
        Assert.Contains("3, 4 hoặc 5", ErrorFor("Input.Ocop"));

        foreach (var negative in new[] { "-150000", "0", "1.000.000.000" })
        {
            var refused = await seller.SubmitFormAsync("/Seller/Catalog/New", "main form.form", new Dictionary<string, string>
            {
                ["Input.Name"] = "Chè thử giá", ["Input.CategoryId"] = category, ["Input.Unit"] = "kg", ["Input.Price"] = negative,
            });
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("Giá", (await PageClient.ParseAsync(refused)).QuerySelector("[data-valmsg-for='Input.Price']")!.TextContent);
        }

        var created = await seller.SubmitFormAsync("/Seller/Catalog/New", "main form.form", new Dictionary<string, string>
        {
            ["Input.Name"] = "Chè Móc câu Tân Cương", ["Input.CategoryId"] = category, ["Input.Unit"] = "gói 200 g",
            ["Input.Price"] = "150 000 đ", ["Input.Stock"] = "1.200", ["Input.Ocop"] = "4",
            ["Input.Certifications"] = "VietGAP", ["Input.OtherCertifications"] = "Chỉ dẫn địa lý Tân Cương; vietgap",
            ["Input.ProvinceCode"] = "19", ["Input.Description"] = "**Ngon** <script>alert(1)</script>",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = long.Parse(created.Headers.Location!.OriginalString.Split('/').Last());
        Assert.Equal("che-moc-cau-tan-cuong", await ScalarAsync<string>(App, "SELECT slug FROM products WHERE id = @id", new { id }));
        Assert.Equal(150_000L, await ScalarAsync<long>(App, "SELECT price_vnd FROM products WHERE id = @id", new { id }));
        Assert.Equal(1200, await ScalarAsync<int>(App, "SELECT stock FROM products WHERE id = @id", new { id }));
        Assert.Equal("draft", await ScalarAsync<string>(App, "SELECT status FROM products WHERE id = @id", new { id }));
        Assert.Equal(new[] { "VietGAP", "Chỉ dẫn địa lý Tân Cương" },
            await ScalarAsync<string[]>(App, "SELECT certifications FROM products WHERE id = @id", new { id }));

        // The same name again gets a suffix; slugs stay unique.
        var second = await CreateAsync(seller, "Chè Móc câu Tân Cương");
        Assert.Equal("che-moc-cau-tan-cuong-2", await ScalarAsync<string>(App, "SELECT slug FROM products WHERE id = @second", new { second }));

        // The edit page shows the sanitised description; editing the name keeps the slug.
        var (_, edit) = await seller.GetPageAsync($"/Seller/Catalog/Edit/{id}");
        var description = edit.QuerySelector(".description")!.InnerHtml;
        Assert.Contains("<strong>Ngon</strong>", description);
        Assert.DoesNotContain("<script", description);
        var saved = await seller.SubmitAsync(edit, "form.product-form", new Dictionary<string, string> { ["Input.Name"] = "Chè Móc câu đặc biệt" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("Chè Móc câu đặc biệt|che-moc-cau-tan-cuong|150000",
            await ScalarAsync<string>(App, "SELECT name || '|' || slug || '|' || price_vnd FROM products WHERE id = @id", new { id }));

        // Publish, then take off sale.
        var (_, again) = await seller.GetPageAsync($"/Seller/Catalog/Edit/{id}");
        Assert.Equal(HttpStatusCode.Redirect, (await seller.SubmitAsync(again, "form[action*='handler=Publish']", new Dictionary<string, string>())).StatusCode);
        Assert.Equal("published", await ScalarAsync<string>(App, "SELECT status FROM products WHERE id = @id", new { id }));
        var (_, published) = await seller.GetPageAsync($"/Seller/Catalog/Edit/{id}");
        Assert.Contains("Đã đăng bán", published.QuerySelector(".flash")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await seller.SubmitAsync(published, "form[action*='handler=Unpublish']", new Dictionary<string, string>())).StatusCode);
        Assert.Equal("unpublished", await ScalarAsync<string>(App, "SELECT status FROM products WHERE id = @id", new { id }));

        // The list shows it, and the status filter works.
        var (_, list) = await seller.GetPageAsync("/Seller/Catalog?status=unpublished");
        Assert.Contains("Chè Móc câu đặc biệt", list.QuerySelector(".listing-list")!.TextContent);
        var (_, drafts) = await seller.GetPageAsync("/Seller/Catalog?status=draft");
        Assert.DoesNotContain("Chè Móc câu đặc biệt", drafts.QuerySelector(".listing-list")!.TextContent);
    }

    [Fact]
    public async Task A_seller_cannot_read_or_change_another_sellers_listing_by_guessing_ids()
    {
        using var a = await SellerAsync(TanCuongPhone);
        using var b = await SellerAsync(LaBangPhone);
        var mine = await ProductIdOfAsync(App, "htx-che-tan-cuong");
        var theirs = await ProductIdOfAsync(App, "htx-che-la-bang");
        var theirSellerId = await ScalarAsync<long>(App, "SELECT id FROM sellers WHERE slug = 'htx-che-la-bang'");
        var before = await ScalarAsync<string>(App, "SELECT name || price_vnd || status || stock FROM products WHERE id = @theirs", new { theirs });

        // B adds a photo to B's own listing (a draft), so that there is an image id to guess.
        await ExecuteAsync(App, "UPDATE products SET status = 'draft' WHERE id = @theirs", new { theirs });
        var upload = await PostMultipartAsync(b, $"/Seller/Catalog/Edit/{theirs}", "form.upload-form", new Dictionary<string, string>(),
            ("photos", "b.jpg", "image/jpeg", Image(SKEncodedImageFormat.Jpeg, 300, 200)));
        Assert.Equal(HttpStatusCode.Redirect, upload.StatusCode);
        var theirImage = await ScalarAsync<long>(App, "SELECT id FROM product_images WHERE product_id = @theirs", new { theirs });

        // Read.
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.GetAsync($"/Seller/Catalog/Edit/{theirs}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.GetAsync($"/Seller/Catalog?seller={theirSellerId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.GetAsync($"/img/p/{theirImage}/160.webp")).StatusCode);
        using (var anonymous = App.NewClient())
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Http.GetAsync($"/img/p/{theirImage}/160.webp")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.Http.GetAsync($"/img/p/{theirImage}/160.webp")).StatusCode);

        // Write: every handler, with A's own valid antiforgery token, aimed at B's ids.
        var (_, own) = await a.GetPageAsync($"/Seller/Catalog/Edit/{mine}");
        var token = own.QuerySelector("form.product-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        async Task<HttpStatusCode> PostAsync(string url, Dictionary<string, string> fields)
        {
            fields["__RequestVerificationToken"] = token;
            return (await a.Http.PostAsync(url, new FormUrlEncodedContent(fields))).StatusCode;
        }
        var category = (await CategoryIdAsync("che-xanh")).ToString();
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync($"/Seller/Catalog/Edit/{theirs}", new()
        {
            ["Input.Name"] = "Đã bị sửa", ["Input.CategoryId"] = category, ["Input.Unit"] = "kg", ["Input.Price"] = "1000",
        }));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync($"/Seller/Catalog/Edit/{theirs}?handler=Publish", new()));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync($"/Seller/Catalog/Edit/{theirs}?handler=Unpublish", new()));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync($"/Seller/Catalog/Edit/{theirs}?handler=DeletePhoto", new() { ["imageId"] = theirImage.ToString() }));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync($"/Seller/Catalog/Edit/{theirs}?handler=MovePhoto", new() { ["imageId"] = theirImage.ToString(), ["direction"] = "1" }));
        // B's image through A's own product id: still not A's.
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync($"/Seller/Catalog/Edit/{mine}?handler=DeletePhoto", new() { ["imageId"] = theirImage.ToString() }));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync("/Seller/Catalog?handler=Choose", new() { ["sellerId"] = theirSellerId.ToString() }));
        var uploadToTheirs = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Image(SKEncodedImageFormat.Png, 100, 100)), "photos", "x.png" },
        };
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.PostAsync($"/Seller/Catalog/Edit/{theirs}?handler=Upload", uploadToTheirs)).StatusCode);

        await ExecuteAsync(App, "UPDATE products SET status = 'published' WHERE id = @theirs", new { theirs });
        Assert.Equal(before, await ScalarAsync<string>(App, "SELECT name || price_vnd || status || stock FROM products WHERE id = @theirs", new { theirs }));
        Assert.Equal(1, await ScalarAsync<int>(App, "SELECT count(*)::int FROM product_images WHERE product_id = @theirs", new { theirs }));

        // Export: only A's own listings.
        var export = await a.Http.GetAsync("/Seller/Catalog/Export?format=csv");
        var csv = await export.Content.ReadAsStringAsync();
        var theirSlug = await ScalarAsync<string>(App, "SELECT slug FROM products WHERE id = @theirs", new { theirs });
        var mySlug = await ScalarAsync<string>(App, "SELECT slug FROM products WHERE id = @mine", new { mine });
        Assert.Contains(mySlug, csv);
        Assert.DoesNotContain(theirSlug, csv);
        Assert.DoesNotContain("La Bằng", csv);

        // A shopper is not a seller member at all.
        using var shopper = App.NewClient();
        await shopper.SignInAsync("0900000006");
        var denied = await shopper.Http.GetAsync("/Seller/Catalog");
        Assert.StartsWith("/Account/AccessDenied", denied.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task A_member_of_two_sellers_picks_one_and_sees_only_its_listings()
    {
        await ExecuteAsync(App, """
            INSERT INTO seller_members (seller_id, user_id, role)
            SELECT s.id, u.id, 'staff' FROM sellers s, users u WHERE s.slug = 'htx-che-la-bang' AND u.phone = '0900000005'
            UNION ALL
            SELECT s.id, u.id, 'staff' FROM sellers s, users u WHERE s.slug = 'htx-che-tan-cuong' AND u.phone = '0900000005';
            INSERT INTO user_roles (user_id, role) SELECT id, 'seller_member' FROM users WHERE phone = '0900000005';
            """);
        using var member = await SellerAsync("0900000005");
        var (_, picker) = await member.GetPageAsync("/Seller/Catalog");
        Assert.Equal(2, picker.QuerySelectorAll(".seller-choices form").Length);
        Assert.Equal(HttpStatusCode.Redirect, (await member.Http.GetAsync("/Seller/Catalog/New")).StatusCode);

        var laBang = await ScalarAsync<long>(App, "SELECT id FROM sellers WHERE slug = 'htx-che-la-bang'");
        var form = picker.QuerySelectorAll(".seller-choices form").First(f => f.QuerySelector($"input[value='{laBang}']") is not null);
        form.Id = "choose";
        Assert.Equal(HttpStatusCode.Redirect, (await member.SubmitAsync(picker, "#choose", new Dictionary<string, string>())).StatusCode);

        var (_, list) = await member.GetPageAsync("/Seller/Catalog");
        var expected = await ScalarAsync<int>(App, "SELECT count(*)::int FROM products WHERE seller_id = @laBang", new { laBang });
        Assert.Equal(expected, list.QuerySelectorAll(".listing-row").Length);
        Assert.Contains("La Bằng", list.QuerySelector(".lead")!.TextContent);
        var tanCuongProduct = await ProductIdOfAsync(App, "htx-che-tan-cuong");
        Assert.Equal(HttpStatusCode.NotFound, (await member.Http.GetAsync($"/Seller/Catalog/Edit/{tanCuongProduct}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync($"/Seller/Catalog/Edit/{tanCuongProduct}?seller=" +
            await ScalarAsync<long>(App, "SELECT id FROM sellers WHERE slug = 'htx-che-tan-cuong'"))).StatusCode);
    }

    [Fact]
    public async Task Photos_are_checked_by_decoding_stored_once_and_served_as_resized_webp_thumbnails()
    {
        using var seller = await SellerAsync(TanCuongPhone);
        var id = await CreateAsync(seller, "Chè ảnh thử");
        var other = await CreateAsync(seller, "Chè ảnh thử khác");
        var jpeg = Image(SKEncodedImageFormat.Jpeg, 1200, 800);
        var png = Image(SKEncodedImageFormat.Png, 640, 960, SKColors.SaddleBrown);
        var webp = Image(SKEncodedImageFormat.Webp, 2000, 1000, SKColors.Teal);

        var uploaded = await PostMultipartAsync(seller, $"/Seller/Catalog/Edit/{id}", "form.upload-form", new Dictionary<string, string>(),
            ("photos", "che.jpg", "image/jpeg", jpeg), ("photos", "che.png", "image/png", png), ("photos", "che.webp", "image/webp", webp));
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        Assert.Equal("image/jpeg,image/png,image/webp", await ScalarAsync<string>(App,
            "SELECT string_agg(content_type, ',' ORDER BY sort_order) FROM product_images WHERE product_id = @id", new { id }));

        // Stored once: the same JPEG on a second product adds no bytes.
        var blobs = await ScalarAsync<long>(App, "SELECT count(*) FROM media_blobs");
        Assert.Equal(HttpStatusCode.Redirect, (await PostMultipartAsync(seller, $"/Seller/Catalog/Edit/{other}", "form.upload-form",
            new Dictionary<string, string>(), ("photos", "same.jpg", "image/jpeg", jpeg))).StatusCode);
        Assert.Equal(blobs, await ScalarAsync<long>(App, "SELECT count(*) FROM media_blobs"));
        Assert.Equal(2L, await ScalarAsync<long>(App,
            "SELECT count(*) FROM product_images WHERE storage_key = (SELECT storage_key FROM product_images WHERE product_id = @other)", new { other }));

        // Thumbnails: WebP, the asked width, proportional height, cacheable.
        var images = (await ScalarAsync<long[]>(App, "SELECT array_agg(id ORDER BY sort_order) FROM product_images WHERE product_id = @id", new { id }));
        foreach (var (imageId, width, expectedHeight) in new[] { (images[0], 480, 320), (images[1], 160, 240), (images[2], 960, 480) })
        {
            var response = await seller.Http.GetAsync($"/img/p/{imageId}/{width}.webp");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/webp", response.Content.Headers.ContentType!.MediaType);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            using var codec = SKCodec.Create(new SKMemoryStream(bytes));
            Assert.Equal(SKEncodedImageFormat.Webp, codec.EncodedFormat);
            Assert.Equal(width, codec.Info.Width);
            Assert.Equal(expectedHeight, codec.Info.Height);
            Assert.NotNull(response.Headers.ETag);
            Assert.Contains("private", response.Headers.CacheControl!.ToString());

            var again = new HttpRequestMessage(HttpMethod.Get, $"/img/p/{imageId}/{width}.webp");
            again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
            Assert.Equal(HttpStatusCode.NotModified, (await seller.Http.SendAsync(again)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await seller.Http.GetAsync($"/img/p/{images[0]}/300.webp")).StatusCode);

        // Published: public, with a long cache lifetime, for anyone.
        await ExecuteAsync(App, "UPDATE products SET status = 'published' WHERE id = @id", new { id });
        using (var anonymous = App.NewClient())
        {
            var response = await anonymous.Http.GetAsync($"/img/p/{images[0]}/160.webp");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.CacheControl!.Public);
            Assert.True(response.Headers.CacheControl.MaxAge >= TimeSpan.FromDays(365));
        }

        // Order: move the WebP to the front; the list shows it as the cover.
        var (_, edit) = await seller.GetPageAsync($"/Seller/Catalog/Edit/{id}");
        var moveForms = edit.QuerySelectorAll("form[action*='handler=MovePhoto']")
            .Where(f => f.QuerySelector($"input[name=imageId][value='{images[2]}']") is not null).ToList();
        moveForms[0].Id = "move-webp";
        Assert.Equal(HttpStatusCode.Redirect, (await seller.SubmitAsync(edit, "#move-webp", new Dictionary<string, string>())).StatusCode);
        Assert.Equal($"{images[0]},{images[2]},{images[1]}", await ScalarAsync<string>(App,
            "SELECT string_agg(id::text, ',' ORDER BY sort_order, id) FROM product_images WHERE product_id = @id", new { id }));

        // Delete: the image goes; bytes used by no product go too.
        (_, edit) = await seller.GetPageAsync($"/Seller/Catalog/Edit/{id}");
        var deleteForm = edit.QuerySelectorAll("form[action*='handler=DeletePhoto']")
            .First(f => f.QuerySelector($"input[name=imageId][value='{images[1]}']") is not null);
        deleteForm.Id = "delete-png";
        Assert.Equal(HttpStatusCode.Redirect, (await seller.SubmitAsync(edit, "#delete-png", new Dictionary<string, string>())).StatusCode);
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM product_images WHERE id = @image", new { image = images[1] }));
        Assert.Equal(blobs - 1, await ScalarAsync<long>(App, "SELECT count(*) FROM media_blobs"));
        Assert.Equal(HttpStatusCode.NotFound, (await seller.Http.GetAsync($"/img/p/{images[1]}/160.webp")).StatusCode);
    }

    [Fact]
    public async Task Files_that_are_not_real_images_are_refused_including_a_decompression_bomb()
    {
        using var seller = await SellerAsync(TanCuongPhone);
        var id = await CreateAsync(seller, "Chè kiểm tra ảnh");

        async Task<string> UploadAsync(string fileName, string contentType, byte[] bytes)
        {
            var response = await PostMultipartAsync(seller, $"/Seller/Catalog/Edit/{id}", "form.upload-form", new Dictionary<string, string>(),
                ("photos", fileName, contentType, bytes));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal($"/Seller/Catalog/Edit/{id}#photos", response.Headers.Location!.OriginalString);
            var (_, page) = await seller.GetPageAsync($"/Seller/Catalog/Edit/{id}");
            return page.QuerySelector(".flash")?.TextContent ?? "";
        }

        Assert.Contains("không phải ảnh", await UploadAsync("anh.jpg", "image/jpeg", "Đây là một tệp văn bản, không phải ảnh."u8.ToArray()));
        var jpeg = Image(SKEncodedImageFormat.Jpeg, 800, 600);
        Assert.Contains("bị hỏng", await UploadAsync("cut.jpg", "image/jpeg", jpeg[..(jpeg.Length / 2)]));

        var bomb = PngBombHeader();
        Assert.True(bomb.Length < 10_000, $"the bomb is {bomb.Length} bytes");
        var peakBefore = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Contains("40 megapixel", await UploadAsync("bomb.png", "image/png", bomb));
        // Refused from the header, without decoding: well under a second (decoding 40 GB of pixels would take minutes).
        TimeLimit.Check(output, "decompression bomb upload refused (upload, redirect, page)", started.Elapsed, TimeSpan.FromSeconds(1), 10);
        var grown = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 - peakBefore;
        Assert.True(grown < 200L * 1024 * 1024, $"peak memory grew by {grown / (1024 * 1024)} MB");

        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM product_images WHERE product_id = @id", new { id }));
    }
}
