namespace Compress.Spec;

/// <summary><c>model:</c> the ONNX model to compress.</summary>
public sealed record ModelSpec
{
    /// <summary>Absolute path of the <c>.onnx</c> file (written relative to the spec's folder). Required.</summary>
    public required string Path { get; init; }

    /// <summary>The graph input that receives audio or features; null = the only non-initializer input.</summary>
    public string? Input { get; init; }

    /// <summary>The graph output holding class scores (logits or probabilities); null = the first output.</summary>
    public string? Output { get; init; }

    /// <summary>
    /// <c>model.inputs</c>: values for the model's inputs other than the features (a sample-rate scalar, recurrent
    /// state <c>h0</c>/<c>c0</c>), by input name. Empty by default.
    /// </summary>
    public IReadOnlyDictionary<string, ExtraInputSpec> Inputs { get; init; } = NoInputs;

    /// <summary>The empty <see cref="Inputs"/> (one instance, so specs without <c>model.inputs</c> compare equal).</summary>
    public static IReadOnlyDictionary<string, ExtraInputSpec> NoInputs { get; } = new Dictionary<string, ExtraInputSpec>();

    /// <summary>Where the <c>model:</c> key is written.</summary>
    public SpecLocation Location { get; init; } = SpecLocation.None;
}

/// <summary>What fills one extra input: zeros, one number everywhere, or a <c>.npy</c> array.</summary>
public enum ExtraInputKind
{
    /// <summary>All zeros (an initial recurrent state).</summary>
    Zeros,

    /// <summary><see cref="ExtraInputSpec.Number"/> everywhere (a sample-rate scalar).</summary>
    Number,

    /// <summary>The float array in <see cref="ExtraInputSpec.Path"/>, of the input's shape with batch 1 (or without the batch axis).</summary>
    Npy,
}

/// <summary>One <c>model.inputs</c> entry: <c>h0: zeros</c>, <c>sr: 16000</c>, <c>h0: state.npy</c> or <c>h0: {value: zeros, batch_axis: 1}</c>.</summary>
/// <param name="BatchAxis">The input's axis that follows the batch; null = the axis whose symbolic name is the feature input's batch name, if any.</param>
public sealed record ExtraInputSpec(ExtraInputKind Kind, double Number, string? Path, int? BatchAxis, SpecLocation Location);
