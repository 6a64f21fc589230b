using Microsoft.AspNetCore.Http.Features;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// An upload larger than the endpoint's limit (<c>[RequestSizeLimit]</c>, else Kestrel's 30 MB) is answered 413: at once
/// when its Content-Length says so, before anything reads the body; and, for a body sent without a length (chunked),
/// when the first reader hits the limit. Otherwise that first reader — the antiforgery check reading the form — fails
/// and the person is told their form "expired" (400) instead. The status-code pages then explain it in Vietnamese
/// (<c>/Error?code=413</c>).
/// </summary>
public static class RequestSizeGate
{
    /// <summary>Use after UseRouting (which applies the endpoint's own limit to the request).</summary>
    public static IApplicationBuilder UseRequestSizeGate(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // Not again when the status-code page for this very request is being rendered.
            if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null
                || context.Features.Get<IHttpMaxRequestBodySizeFeature>() is not { IsReadOnly: false, MaxRequestBodySize: long max })
            {
                await next(context);
                return;
            }
            if (context.Request.ContentLength > max)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                context.Response.Headers.Connection = "close";
                return;
            }
            if (context.Request.ContentLength is not null || context.Request.Headers.TransferEncoding.Count == 0)
            {
                await next(context);
                return;
            }
            var body = new TooLargeObserver(context.Request.Body);
            context.Request.Body = body;
            await next(context);
            if (body.HitLimit && !context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            }
        });

    /// <summary>A request body that turned out too large while being read keeps Kestrel's status (413), not 500.</summary>
    public static int StatusCodeOf(Exception exception) =>
        exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;

    /// <summary>Passes reads through and remembers whether the server refused the body as too large.</summary>
    private sealed class TooLargeObserver(Stream inner) : Stream
    {
        public bool HitLimit { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                HitLimit = true;
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                HitLimit = true;
                throw;
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
