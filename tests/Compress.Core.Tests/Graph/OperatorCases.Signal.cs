using Compress.Onnx;
using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Graph;

public static partial class OperatorCases
{
    /// <summary>
    /// STFT: real signals with a window (one-sided, the front end's form; a power-of-two frame, which ONNX Runtime
    /// computes by radix-2 FFT, and an odd one, which it computes by direct DFT), frame_length alone (two-sided), and a
    /// complex signal; frames that stop short of the signal's end (the remainder is dropped).
    /// </summary>
    [CaseGroup]
    private static IEnumerable<OperatorCase> Signal()
    {
        yield return Stft("STFT_Real_Window_Onesided_PowerOfTwo", R("signal", 1, -1, 1, 2, 70, 1), step: 8, window: R("window", 2, 0, 1, 16), frameLength: 16);
        yield return Stft("STFT_Real_Window_Onesided_OddLength", R("signal", 3, -1, 1, 1, 50, 1), step: 4, window: R("window", 4, 0, 1, 9), frameLength: null);
        yield return Stft("STFT_Real_FrameLength_TwoSided", R("signal", 5, -1, 1, 2, 33, 1), step: 5, window: null, frameLength: 8, ("onesided", 0L));
        yield return Stft("STFT_Complex_Window_TwoSided", R("signal", 6, -1, 1, 1, 40, 2), step: 6, window: R("window", 7, 0, 1, 8), frameLength: 8, ("onesided", 0L));
    }

    private static OperatorCase Stft(string name, CaseTensor signal, long step, CaseTensor? window, long? frameLength, params (string, object)[] attributes)
    {
        var b = new ModelBuilder(17);
        var inputs = new List<string>
        {
            b.Input(signal.Name, DataType.Float, signal.Shape.Cast<object>().ToArray()),
            b.Initializer("frame_step", [step]),
            window is null ? "" : b.Input(window.Name, DataType.Float, window.Shape.Cast<object>().ToArray()),
        };
        if (frameLength is { } length)
        {
            inputs.Add(b.Initializer("frame_length", [length]));
        }

        b.Graph.Output.Add(new ValueInfoProto { Name = b.Node("STFT", inputs, attributes) });
        return new OperatorCase(name, b.Build(), window is null ? [signal] : [signal, window]);
    }
}
