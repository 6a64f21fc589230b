namespace Cho40.Jobs.Reports;

/// <summary>Daily sales reports (configuration section <c>Cho40:Reports</c>).</summary>
public sealed class ReportOptions
{
    /// <summary>How far a report's cutoff lags the time it is computed (see <see cref="Db.ReportComputation.DefaultSettleTime"/>).</summary>
    public int SettleSeconds { get; set; } = (int)Db.ReportComputation.DefaultSettleTime.TotalSeconds;

    /// <summary>The nightly job computes missed days back to at most this many days before yesterday (catch-up after downtime).</summary>
    public int CatchUpDays { get; set; } = 31;

    /// <summary>When no day was ever computed, the nightly job starts this many days back (yesterday included).</summary>
    public int FirstRunDays { get; set; } = 7;

    /// <summary>Cron of the nightly job, in Asia/Ho_Chi_Minh.</summary>
    public string Cron { get; set; } = "15 0 * * *";

    public TimeSpan SettleTime => TimeSpan.FromSeconds(SettleSeconds);
}
