using Compress.Diagnostics;
using Compress.Export;
using Compress.Graph;
using Compress.Onnx.Proto;
using Compress.Runtime;
using Compress.Training;
using static TorchSharp.torch;

namespace Compress.Pruning;

/// <summary>
/// Prunes and fine-tunes an ONNX model on the TorchSharp executor: validates the options (CMP4002–CMP4004),
/// seeds torch and sets its threads, optionally allocates per-layer sparsity from a sensitivity sweep, trains with
/// the chosen method and schedule (distilling from the dense input when asked), enforces the final sparsity
/// exactly, and writes the weights back into a copy of the input model (shrinking it for channel pruning).
/// </summary>
public sealed class CompressionEngine
{
    /// <summary>Problems that stop a run before training (see <see cref="PruningValidator"/>).</summary>
    public static IReadOnlyList<Diagnostic> Validate(ModelProto model, PruningOptions options) => PruningValidator.Validate(model, options);

    /// <summary>
    /// Checks the options (<see cref="PruningCheck"/>) and runs pruning and fine-tuning. Throws
    /// <see cref="CompressException"/> with the diagnostics when the options are invalid, the data does not fit the
    /// model (CMP4005), or the loss is not finite (CMP4001). Callers that want the check's warnings, or check once
    /// before loading data, use <see cref="PruningCheck.Run"/> and the other overload.
    /// </summary>
    public CompressionResult Run(ModelProto model, ITrainingData train, ITrainingData validation, PruningOptions pruning, FineTuneOptions finetune, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, OutputHead? head = null)
    {
        var check = PruningCheck.Run(model, pruning, finetune);
        if (check.Failed)
        {
            throw new CompressException([.. check.Diagnostics.Where(d => d.IsError)]);
        }

        return Run(check.Value!, train, validation, progress, cancellationToken, head);
    }

    /// <summary>
    /// Runs pruning and fine-tuning with options already checked. Throws <see cref="CompressException"/> when the
    /// data does not fit the model (CMP4005) or the loss is not finite (CMP4001). <paramref name="head"/> is the
    /// output trained against (<see cref="OutputHead.Detect"/>; default: detected without <c>model.output</c>, which
    /// throws CMP1030 for a model with several candidate outputs).
    /// </summary>
    public CompressionResult Run(PruningCheck check, ITrainingData train, ITrainingData validation, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, OutputHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        var (model, pruning, finetune) = (check.Model, check.Pruning, check.FineTune);
        var original = model;
        Runtime.TorchRuntime.Initialize();
        AllocatorTuning.Apply();
        if (finetune.Threads > 0)
        {
            set_num_threads(finetune.Threads);
        }

        random.manual_seed(finetune.Seed);
        if (head is null)
        {
            var detected = OutputHead.Detect(model);
            head = detected.Value ?? throw new CompressException([.. detected.Diagnostics.Where(d => d.IsError)]);
        }

        // Weights that only feed other outputs get no gradient from the trained head: they are kept as they are.
        var sources = head.Sources(model);
        var insertedNorms = 0;
        if (finetune.InsertBatchNorm)
        {
            (check, insertedNorms) = InsertBatchNorms(check, head, sources, train);
            model = check.Model;
        }

        using var module = OnnxGraphModule.Create(model, head: head);
        DataChecks.Check(module, train, validation, finetune, scoresByGradient: pruning.Method == PruningMethod.Gradient || pruning.Reconstruct);
        using var teacher = finetune.DistillationWeight > 0 ? OnnxGraphModule.Create(original, head: head) : null;
        var eligible = pruning.Method == PruningMethod.None
            ? []
            : PrunableWeights.Find(model, pruning).Where(t => t.Status == PrunableStatus.Eligible && sources.Contains(t.Name)).Select(t => t.Name).ToList();

        IReadOnlyList<SensitivityPoint> sensitivity = [];
        IReadOnlyList<double>? ratios = null;
        if (pruning.Allocation == SparsityAllocation.Sensitivity && pruning.Method is not (PruningMethod.None or PruningMethod.NM or PruningMethod.Channel))
        {
            (ratios, sensitivity) = SensitivityAnalysis.Allocate(module, eligible, validation, pruning, finetune.BatchSize);
        }

        // The pruning hook itself, not the quantization-aware wrapper around it: channel pruning shrinks the model below.
        var pruningHook = CreateHook(module, eligible, check, train, ratios);
        using var hook = QuantizationAware(pruningHook, module, model, sources, finetune);
        var oneDnn = DecideOneDnn(Runtime.TorchRuntime.Initialize().OneDnn, module, train, validation, finetune.BatchSize);
        FineTuneOutcome outcome;
        double accuracy;
        using (var window = OneDnnWindow.Open(oneDnn))
        {
            outcome = new FineTuneLoop(module, teacher, finetune, hook).Run(train, validation, progress, cancellationToken);
            hook.Finish();
            accuracy = Evaluator.Evaluate(module, validation, finetune.BatchSize).Accuracy;
            oneDnn = window.Outcome(oneDnn);
        }

        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in module.OnnxParameters)
        {
            weights[name] = p;
        }

        foreach (var (name, b) in module.OnnxBuffers)
        {
            weights[name] = b;
        }

        ModelProto result;
        IReadOnlyList<TensorSparsity> layers;
        if (pruningHook is ChannelPruningHook channel)
        {
            (result, layers) = channel.Shrink(model, weights);
        }
        else
        {
            result = WeightWriteBack.Apply(model, weights);
            layers = SparsityAccounting.Count(module.OnnxParameters, eligible);
        }

        if (insertedNorms > 0)
        {
            result = BatchNormInsertion.Fold(result);
        }

        return new CompressionResult(result, layers, SparsityAccounting.Total(layers), outcome.History, accuracy)
        {
            SamplesPerSecond = outcome.SamplesPerSecond,
            EpochsRun = outcome.EpochsRun,
            Sensitivity = sensitivity,
            InsertedBatchNorms = insertedNorms,
            OneDnn = oneDnn,
        };
    }

    /// <summary>
    /// Whether libtorch's oneDNN computes this fine-tuning (<see cref="OneDnnGuard"/>; <paramref name="status"/> is the
    /// process's setting): fixed by <c>COMPRESS_ONEDNN=on</c> or <c>off</c>; under <c>auto</c> the convolution shapes of
    /// one forward pass per batch size the fine-tuning runs (training batches of <c>min(batch_size, training items)</c>;
    /// validation batches of <c>batch_size</c> and the remainder; the teacher and the saliency passes use the training
    /// batches) are checked by
    /// <see cref="OneDnnVetting"/>. Items share one shape (<see cref="ITrainingData.ItemShape"/>), so these are all the
    /// shapes it computes. <paramref name="single"/> replaces libtorch's float32 convolution in the check (tests).
    /// </summary>
    internal static OneDnnDecision DecideOneDnn(OneDnnGuardStatus status, OnnxGraphModule module, ITrainingData train, ITrainingData validation, int batchSize, OneDnnVetting.ConvolutionKernel? single = null)
    {
        if (status.Choice != OneDnnGuardChoice.Auto)
        {
            return OneDnnDecision.Fixed(status);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var passes = new List<(ITrainingData Data, int Size)> { (train, Math.Min(batchSize, train.Count)) };
        if (validation.Count > 0)
        {
            passes.Add((validation, Math.Min(batchSize, validation.Count)));
            if (validation.Count > batchSize && validation.Count % batchSize != 0)
            {
                passes.Add((validation, validation.Count % batchSize));
            }
        }

        var wasTraining = module.training;
        module.eval();
        OneDnnDecision decision;
        try
        {
            using var recorder = ConvolutionRecorder.Start();
            using (no_grad())
            {
                foreach (var (data, size) in passes.Where(p => p.Size > 0).Distinct())
                {
                    using var scope = NewDisposeScope();
                    var batch = Batches.Read(data, Enumerable.Range(0, size).ToArray());
                    module.ForwardScores(tensor(batch.Features, batch.Shape));
                }
            }

            decision = OneDnnVetting.Decide(recorder.Shapes, recorder.Unchecked, single ?? OneDnnVetting.LibTorchWithOneDnn);
        }
        finally
        {
            module.train(wasTraining);
        }

        return decision with { Seconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>
    /// <c>finetune.insert_batchnorm</c>: the check redone on the model with a BatchNormalization after every Conv that
    /// feeds the trained head and has none (<see cref="BatchNormInsertion"/>), its statistics measured on
    /// <paramref name="train"/> by the file's own model, and how many were inserted. The check's warnings were reported
    /// by the first check; an error here would be a bug of the insertion.
    /// </summary>
    private static (PruningCheck Check, int Inserted) InsertBatchNorms(PruningCheck check, OutputHead head, IReadOnlySet<string> sources, ITrainingData train)
    {
        var convs = BatchNormInsertion.Candidates(check.Model, sources);
        if (convs.Count == 0)
        {
            return (check, 0);
        }

        IReadOnlyList<ChannelStatistics> statistics;
        using (var probe = OnnxGraphModule.Create(check.Model, head: head))
        {
            statistics = BatchNormInsertion.Measure(probe, convs, train, check.FineTune.BatchSize);
        }

        if (statistics.Count == 0)
        {
            return (check, 0);
        }

        var redone = PruningCheck.Run(BatchNormInsertion.Insert(check.Model, statistics), check.Pruning, check.FineTune);
        return redone.Value is { } inserted
            ? (inserted, statistics.Count)
            : throw new InvalidOperationException("the model with BatchNormalization inserted fails the pruning check: " + string.Join("; ", redone.Diagnostics.Where(d => d.IsError).Select(d => d.Message)));
    }

    /// <summary>
    /// <paramref name="pruning"/> wrapped for <c>quantize.mode: aware</c> (<see cref="FineTuneOptions.QuantizeAwareEpochs"/>
    /// &gt; 0): the weights the export quantizes — the prunable reads of <paramref name="model"/> that feed the trained
    /// head, float, rank ≥ 2, one output-channel axis — train against their int8 values in the last epochs.
    /// </summary>
    private static ITrainingHook QuantizationAware(ITrainingHook pruning, OnnxGraphModule module, ModelProto model, IReadOnlySet<string> sources, FineTuneOptions finetune)
    {
        if (finetune.QuantizeAwareEpochs <= 0)
        {
            return pruning;
        }

        var weights = new List<(TorchSharp.Modules.Parameter, int, int)>();
        foreach (var reads in PrunableWeights.Reads(model).GroupBy(r => r.Name, StringComparer.Ordinal))
        {
            if (!sources.Contains(reads.Key) || !module.OnnxParameters.TryGetValue(reads.Key, out var p) || p.dtype != ScalarType.Float32 || p.dim() < 2)
            {
                continue;
            }

            var axes = reads.Select(r => Int8WeightQuantizer.OutputChannelAxis(r.Node.OpType, r.InputIndex, (int)p.dim(), r.Node)).Distinct().ToList();
            var reduced = finetune.QuantizeAwareActivations && reads.Any(r => Int8ActivationQuantizer.Operators.Contains(r.Node.OpType));
            if (axes is [{ } axis])
            {
                weights.Add((p, axis, reduced ? Int8WeightQuantizer.ReducedRange : Int8WeightQuantizer.FullRange));
            }
        }

        return new QuantizationAwareHook(pruning, weights, Math.Max(0, finetune.Epochs - finetune.QuantizeAwareEpochs), pruning is ChannelPruningHook channel ? channel.ZeroCut : null);
    }

    private static ITrainingHook CreateHook(OnnxGraphModule module, IReadOnlyList<string> eligible, PruningCheck check, ITrainingData train, IReadOnlyList<double>? ratios) =>
        check.Pruning.Method switch
        {
            PruningMethod.None => new NoPruningHook(),
            PruningMethod.Channel => new ChannelPruningHook(module, check.Pruning, check.FineTune, train, check.Dependencies),
            PruningMethod.Magnitude or PruningMethod.Gradient or PruningMethod.L1 or PruningMethod.L2 or PruningMethod.NM =>
                new UnstructuredPruningHook(module, eligible, check.Pruning, check.FineTune, train, ratios),
        };
}
