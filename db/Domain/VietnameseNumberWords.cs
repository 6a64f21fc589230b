using System.Text;

namespace Cho40.Db.Domain;

/// <summary>
/// Whole numbers as Vietnamese words, for announcing amounts aloud: 50000 → "năm mươi nghìn",
/// 1005 → "một nghìn không trăm linh năm", 21000 → "hai mươi mốt nghìn", 15 → "mười lăm".
/// The full amount is always spoken (fraud seen at stalls: 200 đ paid instead of 200.000 đ).
/// </summary>
public static class VietnameseNumberWords
{
    private static readonly string[] Digits = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];
    // Groups of three digits: units, nghìn, triệu, tỷ, then nghìn tỷ, triệu tỷ, tỷ tỷ.
    private static readonly string[] GroupNames = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ", "tỷ tỷ"];

    public static string Of(long number) =>
        number < 0 ? "âm " + Of((ulong)(-(number + 1)) + 1) : Of((ulong)number);

    public static string Of(ulong number)
    {
        if (number == 0) return Digits[0];
        var groups = new List<int>();
        for (var n = number; n > 0; n /= 1000) groups.Add((int)(n % 1000));

        var words = new StringBuilder();
        for (var i = groups.Count - 1; i >= 0; i--)
        {
            var group = groups[i];
            if (group == 0) continue;
            var leading = i == groups.Count - 1;
            if (words.Length > 0) words.Append(' ');
            words.Append(GroupWords(group, full: !leading));
            if (GroupNames[i].Length > 0) words.Append(' ').Append(GroupNames[i]);
        }
        return words.ToString();
    }

    /// <summary>"Đã nhận năm mươi nghìn đồng".</summary>
    public static string Received(long amount) => $"Đã nhận {Of(amount)} đồng";

    /// <summary>Three digits; <paramref name="full"/> says "không trăm" / "linh" where a leading group would not.</summary>
    private static string GroupWords(int group, bool full)
    {
        int hundreds = group / 100, tens = group / 10 % 10, units = group % 10;
        var parts = new List<string>(4);
        if (hundreds > 0 || full) parts.Add(Digits[hundreds] + " trăm");
        if (tens == 0)
        {
            if (units > 0 && parts.Count > 0) parts.Add("linh");
        }
        else
        {
            parts.Add(tens == 1 ? "mười" : Digits[tens] + " mươi");
        }
        if (units > 0)
        {
            parts.Add(units switch
            {
                1 when tens >= 2 => "mốt",
                4 when tens >= 2 => "tư",
                5 when tens >= 1 => "lăm",
                _ => Digits[units],
            });
        }
        return string.Join(' ', parts);
    }
}
