using Cho40.Db;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cho40.Jobs;

/// <summary>
/// A job process on its own (scaled out: <c>dotnet Cho40.Jobs.dll</c> with <c>DATABASE_URL</c>).
/// By default the web process runs the same Hangfire server in-process instead.
/// </summary>
public static class JobsProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var connectionString = Database.ConnectionStringFrom(builder.Configuration["DATABASE_URL"]
            ?? throw new InvalidOperationException("DATABASE_URL is not set"));

        await Migrator.EnsureDatabaseExistsAsync(connectionString);
        await Migrator.MigrateAsync(connectionString, Console.WriteLine);

        builder.Services.AddNpgsqlDataSource(connectionString);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCho40Jobs(connectionString, runServer: true);
        await builder.Build().RunAsync();
    }
}
