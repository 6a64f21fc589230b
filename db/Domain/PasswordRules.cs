namespace Cho40.Db.Domain;

/// <summary>
/// Passwords an attacker tries first are refused: the commonly breached passwords of <c>db/data/common-passwords.txt</c>
/// (and the same with digits or symbols added at the end), one character or a short group repeated, a run of
/// consecutive digits or letters, and the person's own phone number. Length is checked by the forms (8–128).
/// </summary>
public static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    private const string Advice = " Hãy chọn một câu dễ nhớ với riêng bạn, ví dụ ghép ba, bốn từ không liên quan với nhau (dài hơn thì khó đoán hơn).";
    public const string CommonMessage = "Mật khẩu này nằm trong danh sách mật khẩu hay bị lộ, kẻ gian thử nó đầu tiên." + Advice;
    public const string RepeatedMessage = "Mật khẩu không được chỉ là một ký tự hoặc một nhóm ký tự lặp lại (như 11111111, abcabcab)." + Advice;
    public const string SequenceMessage = "Mật khẩu không được là dãy số hoặc chữ liên tiếp (như 12345678, 87654321, abcdefgh)." + Advice;
    public const string PhoneMessage = "Mật khẩu không được chứa số điện thoại của bạn: ai biết số của bạn cũng đoán được." + Advice;

    /// <summary>Every message the rules give, for the pages' translations.</summary>
    public static readonly IReadOnlyList<string> Messages = [CommonMessage, RepeatedMessage, SequenceMessage, PhoneMessage];

    /// <summary>Added by the project: words Vietnamese people often choose, and this platform's own names.</summary>
    public static readonly IReadOnlyList<string> ProjectWords =
    [
        "matkhau", "anhyeuem", "emyeuanh", "yeuem", "iloveyou", "vietnam", "vietnam1", "hanoi", "saigon",
        "cho40", "cho4.0", "cho-40", "cho40-demo", "cho40demo", "chobonchamkhong", "chosonhanh", "nongsan", "tieuthuong",
    ];

    private static readonly Lazy<HashSet<string>> Common = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "common-passwords.txt");
        var set = new HashSet<string>(StringComparer.Ordinal);
        // Shorter entries can only matter through the "digits added at the end" rule, which needs at least 4 letters left.
        foreach (var line in File.ReadLines(path))
            if (line.Length >= 4) set.Add(line);
        foreach (var word in ProjectWords) set.Add(word);
        return set;
    });

    /// <summary>How many listed passwords are checked (for the docs and a test that the list is really loaded).</summary>
    public static int ListedCount => Common.Value.Count;

    /// <summary>The Vietnamese reason a password is refused, or null when it may be used.</summary>
    public static string? Problem(string password, string? phone)
    {
        if (string.IsNullOrEmpty(password)) return null; // "required" and length are the form's own messages
        var lower = password.ToLowerInvariant();
        if (phone is { Length: >= 9 } && Digits(lower).Contains(phone[^9..], StringComparison.Ordinal)) return PhoneMessage;
        if (IsRepeated(lower)) return RepeatedMessage;
        if (IsSequence(lower)) return SequenceMessage;
        var trimmed = lower.TrimEnd("0123456789!@#$%^&*.,-_+=?~ ".ToCharArray());
        if (Common.Value.Contains(lower) || (trimmed.Length >= 4 && Common.Value.Contains(trimmed))) return CommonMessage;
        return null;
    }

    private static string Digits(string text) => new(text.Where(char.IsAsciiDigit).ToArray());

    /// <summary>One character, or a group of up to 4, repeated: "11111111", "abababab", "123123123".</summary>
    private static bool IsRepeated(string text)
    {
        for (var unit = 1; unit <= 4 && unit * 2 <= text.Length; unit++)
        {
            var repeated = true;
            for (var i = unit; i < text.Length && repeated; i++) repeated = text[i] == text[i - unit];
            if (repeated) return true;
        }
        return false;
    }

    /// <summary>Consecutive digits or letters, up or down: "12345678", "98765432", "34567890" (9→0 wraps), "abcdefgh".</summary>
    private static bool IsSequence(string text)
    {
        var digits = text.All(char.IsAsciiDigit);
        if (!digits && !text.All(char.IsAsciiLetterLower)) return false;
        foreach (var step in new[] { 1, -1 })
        {
            var consecutive = true;
            for (var i = 1; i < text.Length && consecutive; i++)
            {
                var expected = digits ? (char)('0' + ((text[i - 1] - '0' + step + 10) % 10)) : (char)(text[i - 1] + step);
                consecutive = text[i] == expected;
            }
            if (consecutive) return true;
        }
        return false;
    }
}
