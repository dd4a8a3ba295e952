using Compress.Architectures;
using Compress.Graph;
using Compress.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Compress.Bench;

/// <summary>
/// Training step time of the ONNX executor running the DS-CNN graph against the same network written by hand in
/// TorchSharp (same weights, same batch, same optimizer), measured alternately in one process.
/// </summary>
public static class ExecutorTrainingBenchmark
{
    /// <summary>
    /// Times <paramref name="runs"/> training steps (after <paramref name="warmup"/>) of each network, alternating,
    /// with <paramref name="threads"/> torch threads; returns (executor, hand-written) step times in ms.
    /// </summary>
    public static (Measurement Executor, Measurement HandWritten) Run(int batch = 64, int warmup = 5, int runs = 30, int threads = 2)
    {
        Runtime.TorchRuntime.Initialize();
        set_num_threads(threads);
        manual_seed(1);
        var model = new DsCnn(Classes: 12).Build();
        using var executor = OnnxGraphModule.Create(model);
        executor.train();
        using var handWritten = new HandWrittenDsCnn(model);
        handWritten.train();

        var input = randn(batch, 1, 49, 40);
        var labels = randint(0, 12, [batch]);
        using var executorOptimizer = optim.SGD(executor.parameters(), 0.01, momentum: 0.9);
        using var handOptimizer = optim.SGD(handWritten.parameters(), 0.01, momentum: 0.9);

        void Step(Func<Tensor, Tensor> forward, optim.Optimizer optimizer)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(forward(input), labels);
            loss.backward();
            optimizer.step();
        }

        // Interleave the two (first one, then the other) so drift in machine load affects both alike.
        var executorTimes = new List<double>();
        var handTimes = new List<double>();
        for (var round = 0; round < warmup + runs; round++)
        {
            // Alternate which goes first, so neither always runs right after the other's allocations.
            Measurement e, h;
            if (round % 2 == 0)
            {
                e = Measurement.Of("executor", 0, 1, () => Step(executor.Forward, executorOptimizer));
                h = Measurement.Of("hand-written", 0, 1, () => Step(handWritten.forward, handOptimizer));
            }
            else
            {
                h = Measurement.Of("hand-written", 0, 1, () => Step(handWritten.forward, handOptimizer));
                e = Measurement.Of("executor", 0, 1, () => Step(executor.Forward, executorOptimizer));
            }

            if (round >= warmup)
            {
                executorTimes.Add(e.Milliseconds[0]);
                handTimes.Add(h.Milliseconds[0]);
            }
        }

        return (new Measurement("executor", executorTimes), new Measurement("hand-written TorchSharp", handTimes));
    }

    /// <summary>The DS-CNN of <see cref="DsCnn"/> as ordinary TorchSharp layers, initialised from the same ONNX weights.</summary>
    private sealed class HandWrittenDsCnn : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<nn.Module<Tensor, Tensor>> _layers = new();
        private readonly Linear _fc;

        public HandWrittenDsCnn(Onnx.Proto.ModelProto model)
            : base("HandWrittenDsCnn")
        {
            Tensor W(string name) => OnnxTensors.ToTorch(model.Graph.Initializer.Single(t => t.Name == name));
            void Add(string name, long inCh, long outCh, long[] kernel, long[] stride, long groups, long[] pads)
            {
                var conv = nn.Conv2d(inCh, outCh, (kernel[0], kernel[1]), stride: (stride[0], stride[1]), padding: (0, 0), groups: groups, bias: false);
                conv.weight = new Parameter(W(name + ".weight"));
                var bn = nn.BatchNorm2d(outCh, eps: 1e-5, momentum: 0.1);
                _layers.Add(nn.ZeroPad2d((pads[1], pads[3], pads[0], pads[2])));
                _layers.Add(conv);
                _layers.Add(bn);
                _layers.Add(nn.ReLU());
            }

            Add("conv1", 1, 64, [10, 4], [2, 2], 1, [4, 1, 5, 2]);
            for (var i = 0; i < 4; i++)
            {
                Add($"blocks.{i}.dw", 64, 64, [3, 3], [1, 1], 64, [1, 1, 1, 1]);
                Add($"blocks.{i}.pw", 64, 64, [1, 1], [1, 1], 1, [0, 0, 0, 0]);
            }

            _fc = nn.Linear(64, 12);
            _fc.weight = new Parameter(W("fc.weight"));
            _fc.bias = new Parameter(W("fc.bias"));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var x = input;
            foreach (var layer in _layers)
            {
                x = layer.call(x);
            }

            return _fc.call(x.mean([2, 3]));
        }
    }
}
