using Cho40.Db;
using Cho40.Jobs.Cod;
using Cho40.Web.Infrastructure;
using Hangfire;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages.Admin.Cod;

/// <summary>
/// A statement file whose columns or status words its carrier has not had confirmed: shows its columns with samples,
/// proposes which holds which field (from known aliases), and asks what each unknown status word means. Confirmed once
/// per carrier: saved, then the file is imported and later files of the carrier are imported without asking.
/// </summary>
public sealed class MappingModel(CodStatements statements, IBackgroundJobClient jobs, TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    public sealed class MappingInput
    {
        public int HeaderRow { get; set; }
        /// <summary>Field name → column index (-1: none).</summary>
        public Dictionary<string, int> Columns { get; set; } = [];
        /// <summary>Folded status word → our status.</summary>
        public Dictionary<string, string> Words { get; set; } = [];
    }

    [BindProperty]
    public MappingInput Input { get; set; } = new();

    public CodUpload Upload { get; private set; } = null!;
    public IReadOnlyList<string> Headers { get; private set; } = [];
    public IReadOnlyList<string[]> Samples { get; private set; } = [];
    public IReadOnlyDictionary<CodField, int> Proposed { get; private set; } = new Dictionary<CodField, int>();
    public IReadOnlyList<(string Word, string Example, string? Status)> StatusWords { get; private set; } = [];
    public IReadOnlyList<string> FileErrors { get; private set; } = [];
    public bool HadSavedMapping { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, int? header, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, header is > 0 ? header - 1 : null, null, cancellationToken)) return NotFound();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken cancellationToken)
    {
        var upload = await statements.UploadAsync(id, cancellationToken);
        if (upload is null) return NotFound();
        var rows = CodStatementFormats.ReadRows(upload.Content, cancellationToken: cancellationToken);
        var headerIndex = Input.HeaderRow - 1;
        if (headerIndex < 0 || headerIndex >= Math.Min(rows.Count, 10))
        {
            ModelState.AddModelError("Input.HeaderRow", t["Dòng tiêu đề phải là một trong 10 dòng đầu của tệp."]);
            await LoadAsync(id, null, null, cancellationToken);
            return Page();
        }
        var headers = rows[headerIndex];
        var columns = new Dictionary<CodField, int>();
        foreach (var field in Enum.GetValues<CodField>())
        {
            if (!Input.Columns.TryGetValue(field.ToString(), out var index) || index < 0) continue;
            if (index >= headers.Length || string.IsNullOrWhiteSpace(headers[index]))
                ModelState.AddModelError($"Input.Columns[{field}]", string.Format(t["{0}: cột không có tiêu đề — hãy chọn cột khác."].Value, CodStatementFormats.FieldNames[field]));
            else if (columns.ContainsValue(index))
                ModelState.AddModelError($"Input.Columns[{field}]", string.Format(t["{0}: cột «{1}» đã được chọn cho trường khác."].Value, CodStatementFormats.FieldNames[field], headers[index]));
            else columns[field] = index;
        }
        foreach (var field in CodStatementFormat.Required.Where(f => !columns.ContainsKey(f)))
            ModelState.AddModelError($"Input.Columns[{field}]", string.Format(t["Hãy chọn cột cho «{0}»."].Value, CodStatementFormats.FieldNames[field]));

        var settings = await statements.SettingsAsync(upload.Carrier, cancellationToken);
        var words = new Dictionary<string, string>(StringComparer.Ordinal);
        if (columns.TryGetValue(CodField.Status, out var statusColumn))
        {
            var inFile = CodStatementFormats.StatusWordsIn(rows, headerIndex, statusColumn);
            var known = CodStatementFormats.KnownStatuses(inFile, settings);
            foreach (var word in inFile)
            {
                var given = Input.Words.GetValueOrDefault(word);
                if (given is not null && CodLineStatus.All.Contains(given)) words[word] = given;
                else if (!known.ContainsKey(word))
                    ModelState.AddModelError("Input.Words", string.Format(t["Trạng thái «{0}»: hãy chọn nghĩa của nó."].Value, word));
            }
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(id, headerIndex, columns, cancellationToken);
            return Page();
        }

        var userId = User.UserId();
        var now = time.GetUtcNow();
        await statements.SaveSettingsAsync(upload.Carrier, columns.ToDictionary(c => c.Key, c => headers[c.Value].Trim()), words, userId, now,
            cancellationToken);
        var result = (await statements.ImportUploadAsync(id, userId, now, cancellationToken))!;
        switch (result.Status)
        {
            case CodImportStatus.Imported:
                jobs.Enqueue<ReconcileCodStatementJob>(j => j.RunAsync(result.StatementId!.Value, CancellationToken.None));
                TempData["Message"] = string.Format(t["Đã lưu cách đọc tệp của {0} và nhận bảng kê: {1} dòng. Lần sau tệp cùng mẫu được nhận ngay. Việc đối soát đang chạy."].Value,
                    upload.Carrier, result.Lines);
                return RedirectToPage("Statement", new { id = result.StatementId });
            case CodImportStatus.AlreadyUploaded:
                TempData["Message"] = string.Format(t["Bảng kê này đã được tải lên trước đó (số {0}): không tính lại."].Value, result.StatementId);
                return RedirectToPage("Statement", new { id = result.StatementId });
            case CodImportStatus.Rejected:
                FileErrors = result.Errors;
                ModelState.AddModelError("", t["Đã lưu cách đọc tệp, nhưng tệp có lỗi nên không dòng nào được lưu. Hãy sửa các dòng dưới đây rồi tải lên lại."]);
                await LoadAsync(id, headerIndex, columns, cancellationToken);
                return Page();
            default:
                TempData["Message"] = t["Tệp vẫn còn cột hoặc trạng thái chưa rõ: hãy xác nhận."].Value;
                return RedirectToPage(new { id });
        }
    }

    /// <summary>Discards a kept file (nothing of it was imported).</summary>
    public async Task<IActionResult> OnPostDiscardAsync(long id, CancellationToken cancellationToken)
    {
        if (!await statements.DiscardUploadAsync(id, cancellationToken)) return NotFound();
        TempData["Message"] = t["Đã bỏ tệp: không dòng nào được lưu."].Value;
        return RedirectToPage("Index");
    }

    private async Task<bool> LoadAsync(long id, int? headerIndex, IReadOnlyDictionary<CodField, int>? chosen, CancellationToken cancellationToken)
    {
        var upload = await statements.UploadAsync(id, cancellationToken);
        if (upload is null) return false;
        Upload = upload;
        var settings = await statements.SettingsAsync(upload.Carrier, cancellationToken);
        HadSavedMapping = settings.Headers.Count > 0;
        var rows = CodStatementFormats.ReadRows(upload.Content, cancellationToken: cancellationToken);
        var proposal = CodStatementFormats.Propose(rows, upload.Carrier, settings);
        var h = headerIndex ?? proposal.HeaderIndex;
        if (h >= rows.Count) h = proposal.HeaderIndex;
        Headers = h < rows.Count ? rows[h] : [];
        Samples = rows.Skip(h + 1).Where(r => !r.All(string.IsNullOrWhiteSpace)).Take(3).ToList();
        Proposed = chosen ?? (h == proposal.HeaderIndex ? proposal.Columns : new Dictionary<CodField, int>());
        Input.HeaderRow = h + 1;
        var words = new List<(string, string, string?)>();
        if (Proposed.TryGetValue(CodField.Status, out var statusColumn))
        {
            var inFile = CodStatementFormats.StatusWordsIn(rows, h, statusColumn);
            var known = CodStatementFormats.KnownStatuses(inFile, settings);
            foreach (var word in inFile)
            {
                var example = rows.Skip(h + 1).Where(r => statusColumn < r.Length).Select(r => r[statusColumn].Trim())
                    .First(c => CodStatementFormats.Fold(c) == word);
                words.Add((word, example, Input.Words.GetValueOrDefault(word) ?? known.GetValueOrDefault(word)));
            }
        }
        StatusWords = words;
        return true;
    }
}
