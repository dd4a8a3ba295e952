using System.Security.Cryptography;
using System.Text;

namespace Compress.Data;

/// <summary>
/// The Speech Commands split rule (TensorFlow's <c>which_set</c>): the part of the file name before
/// <c>_nohash_</c> (the speaker) is hashed with SHA-1, taken modulo 2^27 and scaled to a percentage, so one
/// speaker always lands in one split whatever other files exist.
/// </summary>
public static class SpeechCommandsSplit
{
    private const long MaxWavsPerClass = (1 << 27) - 1;

    /// <summary>The speaker part of a file name: everything before <c>_nohash_</c>, or the name without extension.</summary>
    public static string SpeakerOf(string fileName)
    {
        var name = Path.GetFileName(fileName);
        var cut = name.IndexOf("_nohash_", StringComparison.Ordinal);
        return cut >= 0 ? name[..cut] : Path.GetFileNameWithoutExtension(name);
    }

    /// <summary>The split of <paramref name="fileName"/> for the given percentages (0–100).</summary>
    public static DatasetSplit Which(string fileName, int validationPercent, int testingPercent)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(SpeakerOf(fileName)));
        long low = (hash[16] << 24 | hash[17] << 16 | hash[18] << 8 | hash[19]) & 0xFFFFFFFFL;
        var percentage = (low % (MaxWavsPerClass + 1)) * (100.0 / MaxWavsPerClass);
        return percentage < validationPercent ? DatasetSplit.Validation
            : percentage < validationPercent + testingPercent ? DatasetSplit.Test
            : DatasetSplit.Train;
    }
}
