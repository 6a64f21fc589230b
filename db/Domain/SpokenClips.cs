namespace Cho40.Db.Domain;

/// <summary>
/// Spoken announcements as a sequence of recorded clips, for phones whose browser has no Vietnamese voice: "Đã nhận một
/// triệu hai trăm ba mươi tư nghìn đồng" → da-nhan, mot, trieu, hai, tram, ba, muoi-ngang, tu, nghin, dong — the whole
/// amount, word by word. The clips are web/wwwroot/audio/vi/{id}.opus (made by scripts/make-audio-clips from clips.tsv,
/// which a test keeps equal to <see cref="Phrases"/>).
/// </summary>
public static class SpokenClips
{
    /// <summary>What each clip says, longest phrases first so "đã nhận" is one clip.</summary>
    public static readonly IReadOnlyList<(string Id, string Text)> Phrases =
    [
        ("da-bat-am-thanh", "đã bật âm thanh"), ("da-nhan", "đã nhận"), ("thieu-tien", "thiếu tiền"), ("can", "cần"),
        ("khong", "không"), ("mot", "một"), ("hai", "hai"), ("ba", "ba"), ("bon", "bốn"), ("nam", "năm"), ("sau", "sáu"),
        ("bay", "bảy"), ("tam", "tám"), ("chin", "chín"), ("muoi", "mười"), ("muoi-ngang", "mươi"), ("tram", "trăm"),
        ("linh", "linh"), ("mot-sac", "mốt"), ("tu", "tư"), ("lam", "lăm"), ("nghin", "nghìn"), ("trieu", "triệu"), ("ty", "tỷ"),
        ("dong", "đồng"),
    ];

    /// <summary>The phrase spoken when sound is turned on.</summary>
    public const string TestPhrase = "Đã bật âm thanh";

    /// <summary>The clips that say <paramref name="text"/>, in order; words without a clip are skipped.</summary>
    public static IReadOnlyList<string> For(string text)
    {
        var words = new string((text ?? "").Normalize(System.Text.NormalizationForm.FormC).ToLowerInvariant()
                .Select(c => char.IsLetter(c) ? c : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var clips = new List<string>();
        for (var i = 0; i < words.Length;)
        {
            var matched = false;
            foreach (var (id, phrase) in Phrases)
            {
                var parts = phrase.Split(' ');
                if (i + parts.Length > words.Length) continue;
                if (!parts.Select((p, k) => p == words[i + k]).All(x => x)) continue;
                clips.Add(id);
                i += parts.Length;
                matched = true;
                break;
            }
            if (!matched) i++;
        }
        return clips;
    }
}
