namespace Cho40.Db.Domain;

/// <summary>Times are stored in UTC; people and daily reports live in Asia/Ho_Chi_Minh (UTC+7, no DST).</summary>
public static class VietnamTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh");

    public static DateTimeOffset ToVietnam(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The Vietnam calendar day an instant falls on.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(ToVietnam(instant).DateTime);

    /// <summary>[start, end) of a Vietnam calendar day, as UTC instants.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) DayBounds(DateOnly day)
    {
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), Zone.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue)));
        return (start.ToUniversalTime(), start.AddDays(1).ToUniversalTime());
    }
}
