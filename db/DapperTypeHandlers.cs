using System.Data;
using System.Runtime.CompilerServices;
using Dapper;

namespace Cho40.Db;

/// <summary>
/// Npgsql reads timestamptz as a UTC <see cref="DateTime"/> and date as <see cref="DateTime"/>, while our records
/// use <see cref="DateTimeOffset"/> and <see cref="DateOnly"/>; Dapper (2.1) knows neither conversion, so records
/// with such members did not materialise and DateOnly parameters were refused. Registered once when this
/// assembly loads. DateTimeOffset parameters are written in UTC (Npgsql refuses other offsets for timestamptz).
/// </summary>
internal static class DapperTypeHandlers
{
#pragma warning disable CA2255 // a library-level registration is exactly what is wanted here
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset o => o,
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            _ => throw new InvalidCastException($"cannot read {value.GetType()} as DateTimeOffset"),
        };
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.DbType = DbType.Date;
            parameter.Value = value;
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime d => DateOnly.FromDateTime(d),
            _ => throw new InvalidCastException($"cannot read {value.GetType()} as DateOnly"),
        };
    }
}
