using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>
/// Bulk import from XLSX or CSV, all or nothing: when any row is rejected, every rejected row is listed with its
/// number and reason, and nothing is imported. Reading is bounded (<see cref="CatalogFile.Limits"/>) and admitted by the
/// <see cref="ImportGate"/>: one import per seller account at a time, and it stops when the seller leaves.
/// </summary>
[RequestSizeLimit(CatalogFile.MaxFileBytes + 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = CatalogFile.MaxFileBytes + 1024 * 1024)]
public sealed class ImportModel(SellerMemberships memberships, CatalogFiles files, TimeProvider clock, ImportGate gate,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public SellerMembership Seller { get; private set; } = null!;
    public IReadOnlyList<ImportError> Errors { get; private set; } = [];
    public int RowCount { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await ResolveAsync(cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        if (await ResolveAsync(cancellationToken) is { } redirect) return redirect;
        if (file is null || file.Length == 0)
            return Problem(t["Vui lòng chọn tệp .xlsx hoặc .csv."]);
        if (file.Length > CatalogFile.MaxFileBytes)
            return Problem(t["Tệp quá lớn: tối đa 10 MB."]);

        using var slot = gate.TryEnter(User.UserId(), cancellationToken);
        if (slot is null)
        {
            Response.Headers.RetryAfter = "30";
            return Problem(t["Đang có tệp khác được nhập. Vui lòng đợi tệp đó xong rồi thử lại sau ít phút."], StatusCodes.Status429TooManyRequests);
        }
        try
        {
            return await ImportAsync(file, slot.Token);
        }
        catch (OperationCanceledException) when (gate.ShuttingDown && !HttpContext.RequestAborted.IsCancellationRequested)
        {
            Response.Headers.RetryAfter = "30";
            return Problem(t["Máy chủ đang khởi động lại: chưa nhập sản phẩm nào. Vui lòng thử lại sau ít phút."], StatusCodes.Status503ServiceUnavailable);
        }
    }

    private async Task<IActionResult> ImportAsync(IFormFile file, CancellationToken cancellationToken)
    {
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, cancellationToken);
        var (rows, fileError) = CatalogFile.Read(bytes, gate.Apply(CatalogFile.Limits), t, cancellationToken);
        if (fileError is not null) return Problem(fileError.Message);

        var errors = new List<ImportError>();
        var valid = new List<CatalogFileRow>(rows.Count);
        foreach (var (row, values) in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (CatalogFile.Validate(row, values, errors, t) is { } ok) valid.Add(ok);
        }
        RowCount = rows.Count;

        var outcome = await files.ImportAsync(Seller.Scope(HttpContext), valid, clock.GetUtcNow(), checkOnly: errors.Count > 0,
            cancellationToken: cancellationToken);
        if (!outcome.Authorised) return NotFound();
        errors.AddRange(outcome.Problems.Select(p => CatalogFile.Explain(p, t)));
        if (errors.Count > 0)
        {
            Errors = errors.OrderBy(e => e.Row).ThenBy(e => Array.IndexOf(CatalogFile.Columns, e.Column)).ToList();
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        TempData["Message"] = t["Đã nhập {0} sản phẩm: {1} mới, {2} cập nhật.", outcome.Created + outcome.Updated, outcome.Created,
            outcome.Updated].Value;
        return RedirectToPage("/Seller/Catalog/Index");
    }

    private IActionResult Problem(string message, int status = StatusCodes.Status422UnprocessableEntity)
    {
        Errors = [new ImportError(0, "", message)];
        Response.StatusCode = status;
        return Page();
    }

    private async Task<IActionResult?> ResolveAsync(CancellationToken cancellationToken)
    {
        var choice = await CurrentSeller.ResolveAsync(HttpContext, memberships, cancellationToken);
        if (choice.AskedForUnknown) return NotFound();
        if (choice.Current is null) return RedirectToPage("/Seller/Catalog/Index");
        Seller = choice.Current;
        return null;
    }
}
