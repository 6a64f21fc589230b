using System.Text.Json;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cho40.Web.Pages.Trace;

/// <summary>Wiring for traceability: services, Digital Link routes to the trace page, photo and EPCIS endpoints.</summary>
public static class TraceSetup
{
    public static IServiceCollection AddCho40Trace(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Cho40:Trace").Get<TraceOptions>() ?? new TraceOptions());
        services.AddSingleton<Db.Trace>();
        services.AddSingleton<ScanCounter>();
        services.AddHostedService<ScanCounterFlusher>();
        services.Configure<RazorPagesOptions>(o =>
        {
            // GS1 Digital Link: the trace page answers /01/{GTIN}/10/{lot} and …/21/{serial}.
            o.Conventions.AddPageRoute("/Trace/Index", "01/{gtin}/10/{lot}");
            o.Conventions.AddPageRoute("/Trace/Index", "01/{gtin}/10/{lot}/21/{serial}");
            // The "type the code again" box: /t?code=… (a GET form, no script).
            o.Conventions.AddPageRoute("/Trace/Index", "t");
            // … and the constrained form without the lot (serials are unique): /01/{GTIN}/21/{serial}.
            o.Conventions.AddPageRoute("/Trace/Index", "01/{gtin}/21/{serial}");
        });
        return services;
    }

    public static WebApplication MapCho40Trace(this WebApplication app)
    {
        // Photos by content hash: the address never changes what it shows, so caches may keep it for a year.
        app.MapGet("/trace/img/{sha256:regex(^[0-9a-f]{{64}}$)}/{width:int}.webp", async (string sha256, int width, Db.Trace trace, HttpContext http,
            CancellationToken cancellationToken) =>
        {
            if (!TracePhotos.Widths.Contains(width)) return Results.NotFound();
            var bytes = await trace.ImageAsync(sha256, width, TracePhotos.Resize, cancellationToken);
            if (bytes is null) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return Results.Bytes(bytes, "image/webp");
        });

        // A batch's history as EPCIS 2.0 JSON-LD, for the seller's own members (others' ids answer 404).
        app.MapGet("/api/trace/batches/{id:long}/epcis", async (long id, HttpContext http, Db.Trace trace, Cho40Options options, TimeProvider clock,
            CancellationToken cancellationToken) =>
        {
            if (http.User.Identity?.IsAuthenticated != true)
                return Results.Problem(statusCode: 401, title: "Chưa đăng nhập", detail: "Cần đăng nhập bằng tài khoản thành viên của người bán để xem lô hàng.");
            var batch = await trace.BatchAsync(http.User.UserId(), id, cancellationToken);
            if (batch is null)
                return Results.Problem(statusCode: 404, title: "Không tìm thấy", detail: $"Không có lô hàng số {id} thuộc người bán của bạn.");
            var events = await trace.EventsAsync(id, cancellationToken);
            var serials = await trace.SerialsAsync(id, 100_000, cancellationToken);
            var document = Epcis.Document(TraceLinks.BaseUrl(http.Request, options), batch, events, serials, clock.GetUtcNow());
            return Results.Text(document.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
                "application/ld+json", System.Text.Encoding.UTF8);
        });
        return app;
    }
}
