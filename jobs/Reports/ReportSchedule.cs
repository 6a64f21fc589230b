using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs.Infrastructure;
using Hangfire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cho40.Jobs.Reports;

/// <summary>
/// Registers the nightly reports job with Hangfire (cron in Asia/Ho_Chi_Minh) when a web or job process starts.
/// AddOrUpdate under a fixed id: every process registering it, any number of times, leaves one recurring job.
/// Retries in the background while the database is unreachable instead of failing the process's start-up.
/// </summary>
public sealed class ReportSchedule(IRecurringJobManager recurring, ReportOptions options, ILogger<ReportSchedule> log) : RecurringJobRegistration(log)
{
    public void Register() =>
        recurring.AddOrUpdate<DailyReportsJob>(DailyReportsJob.RecurringJobId, DailyReportsJob.Queue, j => j.RunNightlyAsync(CancellationToken.None),
            options.Cron, new RecurringJobOptions { TimeZone = VietnamTime.Zone });

    protected override string What => "the nightly reports job";

    protected override Task RegisterAsync(CancellationToken cancellationToken)
    {
        Register();
        return Task.CompletedTask;
    }
}
