using Compress.Runtime;
namespace Compress.Spec;

/// <summary>
/// A parsed, validated <c>compress.yaml</c> (with <c>--set</c> overrides applied). Every path is absolute,
/// resolved against <see cref="Folder"/>; every default is filled in; every section remembers where it was
/// written (<c>Location</c>) and <see cref="Locations"/> maps each written key to its place. Built only by
/// <see cref="SpecParser"/>, which guarantees the documented ranges and consistency rules (docs/compress-yaml.md).
/// </summary>
public sealed record CompressSpec
{
    /// <summary>The spec file as named in diagnostics (e.g. <c>compress.yaml</c>).</summary>
    public required string File { get; init; }

    /// <summary>Absolute folder the spec's relative paths are resolved against.</summary>
    public required string Folder { get; init; }

    /// <summary>Lower-case hex SHA-256 of the spec text followed by each override (one per line).</summary>
    public required string Hash { get; init; }

    /// <summary><c>model:</c>. Required.</summary>
    public required ModelSpec Model { get; init; }

    /// <summary><c>data:</c>. Required.</summary>
    public required DataSpec Data { get; init; }

    /// <summary><c>labels:</c> class names in model output order (index i = output i). Required, unique, non-empty.</summary>
    public required ValueList<string> Labels { get; init; }

    /// <summary>Where the <c>labels:</c> key is written.</summary>
    public SpecLocation LabelsLocation { get; init; } = SpecLocation.None;

    /// <summary><c>features:</c>.</summary>
    public FeaturesSpec Features { get; init; } = new();

    /// <summary><c>pruning:</c>.</summary>
    public PruningSpec Pruning { get; init; } = new();

    /// <summary><c>finetune:</c>.</summary>
    public FinetuneSpec Finetune { get; init; } = new();

    /// <summary><c>gate:</c>; null = no gate (the model is written whatever it scores).</summary>
    public GateSpec? Gate { get; init; }

    /// <summary><c>output:</c>.</summary>
    public required OutputSpec Output { get; init; }

    /// <summary><c>quantize:</c>.</summary>
    public QuantizeSpec Quantize { get; init; } = new();

    /// <summary>
    /// <c>task:</c>. Default <see cref="TaskKind.Classify"/>; <c>ctc</c> when a <c>ctc:</c> section or a wer/cer gate
    /// says so, <c>wake_word</c> when a <c>wake_word:</c> section or an <c>frr_at_fa_per_hour</c> gate does.
    /// </summary>
    public TaskKind Task { get; init; } = TaskKind.Classify;

    /// <summary><c>ctc:</c>, set exactly when <see cref="Task"/> is <see cref="TaskKind.Ctc"/>.</summary>
    public CtcSpec? Ctc { get; init; }

    /// <summary><c>wake_word:</c>, set exactly when <see cref="Task"/> is <see cref="TaskKind.WakeWord"/>.</summary>
    public WakeWordSpec? WakeWord { get; init; }

    /// <summary><c>device:</c>. Default <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary><c>seed:</c> for weight init, shuffling, augmentation and splits, in [0, 2³¹). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary><c>threads:</c> CPU threads for training and ONNX Runtime, ≥ 1; null = every core.</summary>
    public int? Threads { get; init; }

    /// <summary>Where each written key is (dotted paths such as <c>pruning.schedule.kind</c>; list items as <c>labels[2]</c>): a scalar at its value, a mapping or list at its key.</summary>
    public IReadOnlyDictionary<string, SpecLocation> Locations { get; init; } = new Dictionary<string, SpecLocation>();

    /// <summary>
    /// Where <paramref name="path"/> (e.g. <c>pruning.target_sparsity</c>) is written, else its nearest written
    /// parent, else the top of the file — so an engine can report a spec-level problem at the right line.
    /// </summary>
    public SpecLocation LocationOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var p = path; p.Length > 0; p = p[..Math.Max(0, p.LastIndexOf('.'))])
        {
            if (Locations.TryGetValue(p, out var location))
            {
                return location;
            }

            if (!p.Contains('.'))
            {
                break;
            }
        }

        return new SpecLocation(File, 1, 1);
    }
}
