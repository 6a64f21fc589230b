using Cho40.Db.Domain;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Infrastructure;

/// <summary>Every money field of every page reads through <see cref="MoneyText"/>; this localizes its message.</summary>
public static class MoneyInput
{
    /// <summary>The amount, or null with <paramref name="error"/> saying (in the page's language) what to type.</summary>
    public static long? Read(string? text, MoneyField field, IStringLocalizer t, out string? error)
    {
        ArgumentNullException.ThrowIfNull(t);
        var reading = MoneyText.Read(text, field);
        error = reading.Ok ? null : t[reading.Error!, reading.ErrorArgs].Value;
        return reading.AmountVnd;
    }
}
