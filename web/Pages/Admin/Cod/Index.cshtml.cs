using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Jobs.Cod;
using Cho40.Jobs.Settlement;
using Cho40.Web.Infrastructure;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Cod;

/// <summary>COD statements: upload one (CSV/XLSX), download the template, see what was uploaded and what needs a decision.</summary>
public sealed class IndexModel(CodStatements statements, IBackgroundJobClient jobs, TimeProvider time, ImportGate gate,
    IStringLocalizer<SharedResource> t) : PageModel
{
    public sealed class UploadInput
    {
        [Required(ErrorMessage = "Hãy chọn đơn vị vận chuyển.")]
        public string Carrier { get; set; } = "";

        [Required(ErrorMessage = "Hãy chọn tệp bảng kê (CSV hoặc XLSX).")]
        public IFormFile? File { get; set; }
    }

    [BindProperty]
    public UploadInput Input { get; set; } = new();

    public IReadOnlyList<CodStatement> Statements { get; private set; } = [];
    public IReadOnlyList<string> FileErrors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Statements = await statements.ListAsync(cancellationToken: cancellationToken);

    public IActionResult OnGetTemplate() =>
        File(CodStatementFormats.CanonicalTemplateCsv(), "text/csv; charset=utf-8", "mau-bang-ke-cod-cho40.csv");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(Input.Carrier) && !CodStatements.Carriers.Contains(Input.Carrier))
            ModelState.AddModelError("Input.Carrier", t["Đơn vị vận chuyển không có trong danh sách."]);
        if (Input.File is { Length: 0 })
            ModelState.AddModelError("Input.File", t["Tệp rỗng."]);
        else if (Input.File is { Length: > CodStatements.MaxFileBytes })
            ModelState.AddModelError("Input.File", t["Tệp lớn quá 20 MB: hãy chia nhỏ."]);
        if (!ModelState.IsValid)
        {
            await OnGetAsync(cancellationToken);
            return Page();
        }

        // Reading is bounded (CodStatementFormats.Limits) and admitted by the gate: one import per admin at a time, two in all.
        using var slot = gate.TryEnter(User.UserId(), cancellationToken);
        if (slot is null)
        {
            Response.Headers.RetryAfter = "30";
            return await RefuseAsync(t["Đang có tệp khác được nhập. Vui lòng đợi tệp đó xong rồi thử lại sau ít phút."],
                StatusCodes.Status429TooManyRequests, cancellationToken);
        }
        CodImportResult result;
        try
        {
            var content = new byte[Input.File!.Length];
            await using (var stream = Input.File.OpenReadStream()) await stream.ReadExactlyAsync(content, slot.Token);
            result = await statements.ImportAsync(Input.Carrier, Input.File.FileName, content, User.UserId(), time.GetUtcNow(), slot.Token,
                gate.Apply(CodStatementFormats.Limits));
        }
        catch (OperationCanceledException) when (gate.ShuttingDown && !HttpContext.RequestAborted.IsCancellationRequested)
        {
            Response.Headers.RetryAfter = "30";
            return await RefuseAsync(t["Máy chủ đang khởi động lại: bảng kê chưa được lưu. Vui lòng thử lại sau ít phút."],
                StatusCodes.Status503ServiceUnavailable, CancellationToken.None);
        }
        switch (result.Status)
        {
            case CodImportStatus.Rejected:
                ModelState.AddModelError("Input.File", t["Tệp không được nhận, không dòng nào được lưu. Hãy sửa các lỗi dưới đây rồi tải lên lại."]);
                FileErrors = result.Errors;
                await OnGetAsync(cancellationToken);
                return Page();
            case CodImportStatus.NeedsMapping:
                TempData["Message"] = string.Format(t["Tệp có cột hoặc trạng thái chưa được xác nhận cho {0}: hãy kiểm tra cách đọc (một lần), rồi bảng kê được nhận."].Value,
                    Input.Carrier);
                return RedirectToPage("Mapping", new { id = result.UploadId });
            case CodImportStatus.AlreadyUploaded:
                TempData["Message"] = string.Format(t["Bảng kê này đã được tải lên trước đó (số {0}): không tính lại."].Value, result.StatementId);
                return RedirectToPage("Statement", new { id = result.StatementId });
            default:
                TempData["Message"] = result.DuplicateLines == 0
                    ? string.Format(t["Đã nhận bảng kê: {0} dòng. Việc đối soát đang chạy."].Value, result.Lines)
                    : string.Format(t["Đã nhận bảng kê: {0} dòng, trong đó {1} dòng đã có trong bảng kê trước (giữ lại nhưng không tính lại). Việc đối soát đang chạy."].Value,
                        result.Lines, result.DuplicateLines);
                jobs.Enqueue<ReconcileCodStatementJob>(j => j.RunAsync(result.StatementId!.Value, CancellationToken.None));
                return RedirectToPage("Statement", new { id = result.StatementId });
        }
    }

    private async Task<IActionResult> RefuseAsync(string message, int status, CancellationToken cancellationToken)
    {
        ModelState.AddModelError("Input.File", message);
        Response.StatusCode = status;
        await OnGetAsync(cancellationToken);
        return Page();
    }
}
