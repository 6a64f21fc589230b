using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages;

[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel(IStringLocalizer<SharedResource> t) : PageModel
{
    public string Heading { get; private set; } = "";
    public string Explanation { get; private set; } = "";

    // After an exception the handler re-executes this page without ?code=: the status it chose is on the response.
    public void OnGet(int? code) => Describe(code ?? Response.StatusCode);
    public void OnPost(int? code) => Describe(code ?? Response.StatusCode);

    private void Describe(int? code)
    {
        (Heading, Explanation) = code switch
        {
            404 => (t["Không tìm thấy trang"], t["Trang bạn tìm không có hoặc đã được chuyển đi."]),
            403 => (t["Không có quyền truy cập"], t["Tài khoản của bạn không được phép xem trang này."]),
            400 => (t["Yêu cầu không hợp lệ"], t["Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."]),
            429 => (t["Quá nhiều lần thử"], t["Bạn đã thử quá nhiều lần. Vui lòng đợi một phút rồi thử lại."]),
            503 => (t["Tạm thời gián đoạn"], t["Hệ thống đang tạm thời gián đoạn, thường chỉ trong vài giây. Vui lòng tải lại trang sau giây lát."]),
            413 => (t["Tệp quá lớn"], t["Tệp bạn gửi quá lớn nên không được nhận. Hãy chọn tệp nhỏ hơn (ảnh tối đa 10 MB, bảng kê tối đa 20 MB) rồi gửi lại."]),
            _ => (t["Có lỗi"], t["Đã có lỗi xảy ra. Vui lòng thử lại sau."]),
        };
    }
}
