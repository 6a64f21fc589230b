using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cho40.Web.Pages.Market;

/// <summary>The market details form (bound; never the markets row itself). The slug is not in it: posters point at it.</summary>
public sealed class MarketDetailsInput
{
    [Required(ErrorMessage = "Vui lòng nhập tên chợ.")]
    [StringLength(200, MinimumLength = 2, ErrorMessage = "Tên chợ dài từ 2 đến 200 ký tự.")]
    public string Name { get; set; } = "";

    public string? ProvinceCode { get; set; }
    public string? CommuneCode { get; set; }

    [StringLength(300, ErrorMessage = "Địa chỉ tối đa 300 ký tự.")]
    public string? AddressLine { get; set; }

    public string? OpensAt { get; set; }
    public string? ClosesAt { get; set; }

    [StringLength(200, ErrorMessage = "Ghi chú giờ mở cửa tối đa 200 ký tự.")]
    public string? HoursNote { get; set; }

    [StringLength(200, ErrorMessage = "Ghi chú giờ mở cửa tối đa 200 ký tự.")]
    public string? HoursNoteEn { get; set; }

    [StringLength(2000, ErrorMessage = "Giới thiệu tối đa 2.000 ký tự.")]
    public string? Description { get; set; }

    [StringLength(2000, ErrorMessage = "Giới thiệu tối đa 2.000 ký tự.")]
    public string? DescriptionEn { get; set; }
}

/// <summary>
/// Opening hours as people write them: "6:00", "06:00", "6h", "6h30", "18h", "18 giờ 30". A bare number ("6") is refused —
/// six in the morning or in the evening? — and so is anything else that is not a time of day.
/// </summary>
public static partial class MarketHours
{
    public const string Error = "Viết giờ dạng 6:00, 6h30 hoặc 18h.";

    [GeneratedRegex(@"^(?<h>\d{1,2})\s*(?:(?::|h|giờ)\s*(?<m>\d{2})?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>"HH:mm", or null for an empty input; false when it cannot be read as one time of day.</summary>
    public static bool TryParse(string? text, out string? time)
    {
        time = null;
        var value = (text ?? "").Trim();
        if (value.Length == 0) return true;
        var match = Pattern().Match(value);
        if (!match.Success) return false;
        var hour = int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minute = match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
        if (hour > 23 || minute > 59) return false;
        time = $"{hour:00}:{minute:00}";
        return true;
    }
}
