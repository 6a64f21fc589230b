using System.Globalization;
using Cho40.Db.Domain;

namespace Cho40.Web.Infrastructure;

/// <summary>How money and times are shown: VND the Vietnamese way in either language, times in Vietnam.</summary>
public static class Formatting
{
    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    /// <summary>1500000 → "1.500.000 ₫".</summary>
    public static string Vnd(long amount) => amount.ToString("C0", Vietnamese);

    /// <summary>A UTC instant as a Vietnam wall-clock time, e.g. "22/11/2026 07:05".</summary>
    public static string VietnamDateTime(DateTimeOffset instant) =>
        VietnamTime.ToVietnam(instant).ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture);

    public static string VietnamDate(DateTimeOffset instant) =>
        VietnamTime.ToVietnam(instant).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
}
