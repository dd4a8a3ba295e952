using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>STFT</c> (opset 17): frames the signal [batch, length, 1] (real) or [batch, length, 2] (complex) every
/// <c>frame_step</c> samples, multiplies each frame by the optional window and takes its DFT of length
/// <c>frame_length</c> (or the window's length): [batch, frames, bins, 2] with frames = ⌊(length − frame_length) /
/// frame_step⌋ + 1 and bins = frame_length / 2 + 1 when <c>onesided</c> (default 1), frame_length otherwise.
/// Computed with libtorch's FFT (differentiable; the front end of <c>features.prepend</c> uses it).
/// </summary>
[OnnxOperator("STFT", 17)]
public sealed class Stft : OnnxOperator
{
    private bool _onesided;

    /// <inheritdoc />
    protected override void Initialize() => _onesided = Node.Int("onesided", 1) != 0;

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var signal = Input(inputs, 0);
        if (signal.dim() != 3 || (signal.shape[2] != 1 && signal.shape[2] != 2))
        {
            throw Node.Invalid($"the signal must be [batch, length, 1] or [batch, length, 2], not [{string.Join(", ", signal.shape)}]");
        }

        var step = ToLongs(Input(inputs, 1));
        var window = Optional(inputs, 2);
        var lengthInput = Optional(inputs, 3);
        if (step.Length != 1 || step[0] < 1)
        {
            throw Node.Invalid($"frame_step must be one positive integer, not [{string.Join(", ", step)}]");
        }

        if (window is not null && window.dim() != 1)
        {
            throw Node.Invalid($"the window must be 1-D, not [{string.Join(", ", window.shape)}]");
        }

        var length = lengthInput is not null ? ToLongs(lengthInput) : window is not null ? [window.shape[0]] : [];
        if (length.Length != 1 || length[0] < 1)
        {
            throw Node.Invalid("frame_length must be given (input 3 or the window's length) and be positive");
        }

        var n = length[0];
        if (window is not null && window.shape[0] != n)
        {
            throw Node.Invalid($"the window has {window.shape[0]} samples but frame_length is {n}");
        }

        if (signal.shape[1] < n)
        {
            throw Node.Invalid($"the signal has {signal.shape[1]} samples, fewer than one frame of {n}");
        }

        var complexInput = signal.shape[2] == 2;
        if (complexInput && _onesided)
        {
            throw Node.Invalid("onesided output needs a real signal ([batch, length, 1])");
        }

        // [batch, frames, n]: unfold views the signal's frames without copying.
        var frames = complexInput
            ? view_as_complex(signal.contiguous()).unfold(1, n, step[0])
            : signal.squeeze(2).unfold(1, n, step[0]);
        if (window is not null)
        {
            frames = frames * window.to_type(signal.dtype);
        }

        var spectrum = _onesided ? fft.rfft(frames, n, -1) : fft.fft_(frames, n, -1);
        return [view_as_real(spectrum).contiguous()];
    }
}
