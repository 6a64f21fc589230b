using System.Globalization;
using System.Text;

namespace Cho40.Db.Domain;

/// <summary>URL slugs and ASCII folding for Vietnamese text ("Chè Tân Cương" → "che-tan-cuong").</summary>
public static class Slug
{
    /// <summary>Removes diacritics from precomposed and decomposed Vietnamese text; đ/Đ become d/D.</summary>
    public static string ToAscii(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var result = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            switch (c)
            {
                case 'đ': result.Append('d'); break;
                case 'Đ': result.Append('D'); break;
                default:
                    if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) result.Append(c);
                    break;
            }
        }
        return result.ToString().Normalize(NormalizationForm.FormC);
    }

    public static string From(string text, int maxLength = 80)
    {
        var ascii = ToAscii(text).ToLowerInvariant();
        var result = new StringBuilder(ascii.Length);
        foreach (var c in ascii)
        {
            if (char.IsAsciiLetterOrDigit(c)) result.Append(c);
            else if (result.Length > 0 && result[^1] != '-') result.Append('-');
        }
        var slug = result.ToString().Trim('-');
        if (slug.Length > maxLength) slug = slug[..maxLength].TrimEnd('-');
        return slug.Length == 0 ? "muc" : slug;
    }
}
