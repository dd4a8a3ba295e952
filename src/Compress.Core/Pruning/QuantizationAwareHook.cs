using Compress.Export;
using Compress.Training;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Compress.Pruning;

/// <summary>
/// Sparsity-preserving quantization-aware fine-tuning (<c>quantize.mode: aware</c>): wraps the pruning hook and,
/// from the first step of epoch <c>epochs − aware_epochs</c> at which the final sparsity is in place, trains against
/// the int8 weights the export will write. The weights the forward sees are
/// <see cref="Int8WeightQuantizer.Dequantized"/>: <see cref="Int8WeightQuantizer.Quantize"/>'s values times their scales (on the 7-bit grid for Conv/MatMul/Gemm under
/// int8 activations; folding a BatchNormalization into a Conv later scales a channel and its scale alike, so the grid
/// holds) — the same function the export runs, so
/// they are exactly what DequantizeLinear gives in the file — while a float copy (the latent weights) receives the
/// optimizer's updates (the straight-through estimator: the gradient at the int8 weights updates the float ones).
/// The pruning hook still masks gradients and weights, so a pruned weight stays 0 in both copies (quantizing 0 gives
/// 0): ordinary QAT would refill them. Validation in those epochs measures the int8 weights, and the weights left in
/// the module at the end are int8 values times scales, so quantizing them again at export changes nothing. Under
/// channel pruning, the elements the export cuts out (a removed channel's columns in the layers that read it, which no
/// mask holds at zero) are zeroed before every quantization: they would otherwise set a channel's scale, and the
/// shrunk tensor would come off the grid it was trained on (their inputs are exactly zero, so the function is unchanged).
/// </summary>
public sealed class QuantizationAwareHook : ITrainingHook
{
    private readonly ITrainingHook _inner;
    private readonly IReadOnlyList<(Parameter Weight, long[] Dims, int Axis, int MaxLevel)> _weights;
    private readonly int _firstEpoch;
    private readonly Action? _zeroCut;
    private Tensor[]? _latent;

    /// <param name="inner">The pruning hook (masks, schedule, penalty), called first at every point.</param>
    /// <param name="weights">
    /// The parameters the export stores as int8, each with its output-channel axis and its largest |q|
    /// (<see cref="Int8WeightQuantizer.FullRange"/>, or <see cref="Int8WeightQuantizer.ReducedRange"/> for the 7-bit
    /// weights of integer operators under int8 activations).
    /// </param>
    /// <param name="firstEpoch">The earliest epoch (0-based) of quantization-aware training.</param>
    /// <param name="zeroCut">Zeroes what the export will cut out of the weights (<see cref="ChannelPruningHook.ZeroCut"/>), or null.</param>
    public QuantizationAwareHook(ITrainingHook inner, IReadOnlyList<(Parameter Weight, int Axis, int MaxLevel)> weights, int firstEpoch, Action? zeroCut = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _zeroCut = zeroCut;
        ArgumentNullException.ThrowIfNull(weights);
        _weights = [.. weights.Select(w => (w.Weight, w.Weight.shape, w.Axis, w.MaxLevel))];
        _firstEpoch = firstEpoch;
    }

    /// <summary>The step at which training switched to the int8 weights, or null while it has not.</summary>
    public int? StartedAtStep { get; private set; }

    /// <inheritdoc />
    public double Sparsity => _inner.Sparsity;

    /// <inheritdoc />
    public bool AtFinalSparsity => _inner.AtFinalSparsity;

    /// <inheritdoc />
    public void BeforeStep(int step, int epoch)
    {
        _inner.BeforeStep(step, epoch);
        if (_latent is null && epoch >= _firstEpoch && _inner.AtFinalSparsity)
        {
            StartedAtStep = step;
            using var noGrad = no_grad();
            _latent = [.. _weights.Select(w => w.Weight.detach().clone())];
            Quantize();
        }
    }

    /// <inheritdoc />
    public Tensor? Penalty(int epoch) => _inner.Penalty(epoch);

    /// <inheritdoc />
    public void BeforeOptimizerStep()
    {
        _inner.BeforeOptimizerStep();
        if (_latent is null)
        {
            return;
        }

        // The gradient was taken at the int8 weights; the optimizer applies it to the float ones.
        using var noGrad = no_grad();
        for (var i = 0; i < _weights.Count; i++)
        {
            _weights[i].Weight.copy_(_latent[i]);
        }
    }

    /// <inheritdoc />
    public void AfterOptimizerStep()
    {
        _inner.AfterOptimizerStep();
        if (_latent is null)
        {
            return;
        }

        using (no_grad())
        {
            for (var i = 0; i < _weights.Count; i++)
            {
                _latent[i].copy_(_weights[i].Weight);
            }
        }

        Quantize();
    }

    /// <inheritdoc />
    public void Finish() => _inner.Finish();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _latent ?? [])
        {
            t.Dispose();
        }

        _inner.Dispose();
    }

    /// <summary>Sets every weight to its int8 value times its channel's scale, as the exported DequantizeLinear gives it.</summary>
    private void Quantize()
    {
        using var noGrad = no_grad();
        _zeroCut?.Invoke();
        foreach (var (weight, dims, axis, maxLevel) in _weights)
        {
            using var cpu = weight.detach().cpu().contiguous();
            using var quantized = tensor(Int8WeightQuantizer.Dequantized(cpu.data<float>().ToArray(), dims, axis, maxLevel), dims);
            weight.copy_(quantized);
        }
    }
}
