namespace Compress.Spec;

/// <summary>
/// <c>wake_word:</c> which label a <c>task: wake_word</c> model detects and at which operating point it is judged:
/// the report gives the baseline's and the compressed model's false-reject rate and score threshold at
/// <see cref="FaPerHour"/>, and the app's accessor gets the compressed model's threshold.
/// </summary>
public sealed record WakeWordSpec
{
    /// <summary>The default <see cref="FaPerHour"/> when neither <c>wake_word.fa_per_hour</c> nor an <c>frr_at_fa_per_hour</c> gate sets it: one false accept per hour.</summary>
    public const double DefaultFaPerHour = 1.0;

    /// <summary>
    /// <c>wake_word.label</c>: the label detected, or null for the default rule: the first label that does not start
    /// with <c>_</c> (a single-sigmoid model: its positive class).
    /// </summary>
    public string? Label { get; init; }

    /// <summary><c>wake_word.fa_per_hour</c>: false accepts per hour of negative audio at which the threshold is chosen; the gate's <c>fa_per_hour</c> when the gate is <c>frr_at_fa_per_hour</c>.</summary>
    public double FaPerHour { get; init; } = DefaultFaPerHour;

    /// <summary>Where the <c>wake_word:</c> key (else <c>task:</c>) is written.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}
