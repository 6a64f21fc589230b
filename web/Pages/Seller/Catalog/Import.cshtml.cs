using Cho40.Db;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Seller.Catalog;

/// <summary>
/// Bulk import from XLSX or CSV, all or nothing: when any row is rejected, every rejected row is listed with its
/// number and reason, and nothing is imported.
/// </summary>
[RequestSizeLimit(CatalogFile.MaxFileBytes + 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = CatalogFile.MaxFileBytes + 1024 * 1024)]
public sealed class ImportModel(SellerMemberships memberships, CatalogFiles files, TimeProvider clock,
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

        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, HttpContext.RequestAborted);
        var (rows, fileError) = CatalogFile.Read(bytes, t);
        if (fileError is not null) return Problem(fileError.Message);

        var errors = new List<ImportError>();
        var valid = new List<CatalogFileRow>(rows.Count);
        foreach (var (row, values) in rows)
            if (CatalogFile.Validate(row, values, errors, t) is { } ok) valid.Add(ok);
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

    private IActionResult Problem(string message)
    {
        Errors = [new ImportError(0, "", message)];
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
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
