using System.Globalization;

namespace Compress.Features;

/// <summary>
/// Training-split augmentation, seeded and reproducible; set a field to 0 to switch that step off. Per item and
/// copy, in this order on the fitted PCM: speed perturbation by a whole percent in ±<see cref="SpeedPercent"/>
/// (resampling, so pitch moves too), a time shift in ±<see cref="TimeShiftMs"/> (zero fill), a gain in
/// ±<see cref="GainDb"/>, and with probability <see cref="NoiseProbability"/> background noise mixed at an SNR drawn
/// from [<see cref="MinSnrDb"/>, <see cref="MaxSnrDb"/>]; then on the features (not for
/// <see cref="FrontEndKind.None"/>) SpecAugment: <see cref="TimeMasks"/> masks of up to <see cref="TimeMaskFrames"/>
/// frames and <see cref="FreqMasks"/> masks of up to <see cref="FreqMaskBins"/> bins, filled with the item's mean.
/// <see cref="Copies"/> augmented versions of each item are cached.
/// </summary>
public sealed record AugmentationOptions(
    int Copies = 1,
    double TimeShiftMs = 100,
    double NoiseProbability = 0.8,
    double MinSnrDb = 0,
    double MaxSnrDb = 15,
    double GainDb = 6,
    double SpeedPercent = 10,
    int TimeMasks = 0,
    int FreqMasks = 0,
    int TimeMaskFrames = 10,
    int FreqMaskBins = 5)
{
    /// <summary>A stable description of every field (part of the cache key).</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"copies={Copies};shift_ms={TimeShiftMs:R};noise_p={NoiseProbability:R};snr={MinSnrDb:R}..{MaxSnrDb:R};gain_db={GainDb:R};speed_pct={SpeedPercent:R};time_masks={TimeMasks}x{TimeMaskFrames};freq_masks={FreqMasks}x{FreqMaskBins}");
}
