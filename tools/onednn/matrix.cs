#:project ../../src/Compress.Core/Compress.Core.csproj
// Runs a matrix of convolution shapes through libtorch's oneDNN (float32) and its own float64 kernels, forward and
// backward, with the check `COMPRESS_ONEDNN=auto` uses before a fine-tuning (docs/native-runtime.md), and prints how
// many oneDNN computes wrongly on this machine. Usage, from the repository root:
//   dotnet run tools/onednn/matrix.cs            (add ONEDNN_MAX_CPU_ISA=AVX2 in front to hold oneDNN to AVX2)
using System.Globalization;
using Compress.Runtime;

Environment.SetEnvironmentVariable(OneDnnGuard.Variable, "auto");
TorchRuntime.Initialize();
TorchSharp.torch.set_num_threads(2);
var shapes = new List<ConvolutionShape>();
foreach (var n in new long[] { 2, 64 })
{
    // Every input channel count → 48, 1-D over 49 frames and 2-D over 24 × 19, kernels 3 and 5, stride 2, dilation 2 and 4.
    foreach (var inputs in new long[] { 1, 3, 8, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96 })
    {
        foreach (var kernel in new long[] { 3, 5 })
        {
            foreach (var (stride, dilation) in new[] { (1L, 1L), (2L, 1L), (1L, 2L), (1L, 4L) })
            {
                var pad = dilation * (kernel - 1) / 2;
                shapes.Add(new([n, inputs, 49], [48, inputs, kernel], true, [stride], [pad], [dilation], 1));
                shapes.Add(new([n, inputs, 24, 19], [48, inputs, kernel, kernel], true, [stride, stride], [pad, pad], [dilation, dilation], 1));
            }
        }
    }

    // 48 → output channel counts that are not a multiple of 16, and grouped and depthwise layers.
    foreach (var outputs in new long[] { 8, 12, 20, 24, 40 })
    {
        shapes.Add(new([n, 48, 49], [outputs, 48, 3], true, [1], [1], [1], 1));
        shapes.Add(new([n, 48, 24, 19], [outputs, 48, 3, 3], true, [1, 1], [1, 1], [1, 1], 1));
    }

    foreach (var groups in new long[] { 2, 4, 40 })
    {
        shapes.Add(new([n, 40, 24, 19], [40, 40 / groups, 3, 3], true, [1, 1], [1, 1], [1, 1], groups));
    }
}

var checks = OneDnnVetting.Check(shapes);
var wrong = checks.Where(c => !c.Passed).ToList();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{CpuInfo.Current.Model} ({CpuInfo.Current.VectorIsa}): {checks.Count} shapes, {wrong.Count} computed wrongly by oneDNN, largest relative error {checks.Max(c => c.Error):g3}"));
foreach (var w in wrong)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  wrong: {w.Shape}: forward {w.ForwardError:g3}, input gradient {w.InputGradientError:g3}, weight gradient {w.WeightGradientError:g3}"));
}

return wrong.Count == 0 ? 0 : 1;
