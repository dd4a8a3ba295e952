using System.Diagnostics;
using Compress.Diagnostics;
using Compress.Graph;
using Compress.Graph.Operators;
using TorchSharp;
using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>What a fine-tune run produced: one point per epoch, the last validation accuracy, and how many epochs ran.</summary>
public sealed record FineTuneOutcome(IReadOnlyList<EpochPoint> History, double ValidationAccuracy, int EpochsRun, double SamplesPerSecond);

/// <summary>
/// The training loop: deterministic batches, the optimizer and LR schedule of <see cref="FineTuneOptions"/>,
/// the loss of the module's head on its pre-activation scores (<see cref="HeadObjective"/>), label smoothing, distillation from a frozen teacher, gradient clipping, a <see cref="ITrainingHook"/> for
/// pruning, NaN/Inf detection (CMP4001), per-epoch validation and early stopping (restoring the best epoch at the
/// final sparsity). Every step runs inside its own dispose scope.
/// </summary>
public sealed class FineTuneLoop
{
    private readonly OnnxGraphModule _module;
    private readonly OnnxGraphModule? _teacher;
    private readonly FineTuneOptions _options;
    private readonly ITrainingHook _hook;

    /// <param name="teacher">The dense model to distil from (used when <see cref="FineTuneOptions.DistillationWeight"/> &gt; 0), or null.</param>
    public FineTuneLoop(OnnxGraphModule module, OnnxGraphModule? teacher, FineTuneOptions options, ITrainingHook hook)
    {
        _module = module ?? throw new ArgumentNullException(nameof(module));
        _teacher = teacher;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _hook = hook ?? throw new ArgumentNullException(nameof(hook));
    }

    /// <summary>Trains for <see cref="FineTuneOptions.Epochs"/> epochs (fewer when early stopping triggers).</summary>
    public FineTuneOutcome Run(ITrainingData train, ITrainingData validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        var o = _options;
        var stepsPerEpoch = Batches.StepsPerEpoch(train.Count, o.BatchSize);
        var totalSteps = o.Epochs * stepsPerEpoch;
        var parameters = _module.OnnxParameters.Values.ToList();
        using var optimizer = Optimizers.Create(o, parameters);
        var history = new List<EpochPoint>();
        var clock = Stopwatch.StartNew();
        double? lastFinite = null;
        double accuracy = 0;
        var bestMetric = double.NegativeInfinity;
        Dictionary<string, Tensor>? best = null;
        var sinceBest = 0;
        var epochsRun = 0;
        long samples = 0;
        var trainingTime = TimeSpan.Zero;
        int? finalSparsityFrom = null;
        _teacher?.eval();
        try
        {
            for (var epoch = 0; epoch < o.Epochs; epoch++)
            {
                _module.train();
                var epochClock = Stopwatch.StartNew();
                var order = Batches.Order(train.Count, o.Seed, epoch);
                var lossSum = 0.0;
                var step = 0;
                foreach (var indices in Batches.TrainingBatches(order, o.BatchSize))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var global = (epoch * stepsPerEpoch) + step;
                    _hook.BeforeStep(global, epoch);
                    finalSparsityFrom ??= _hook.AtFinalSparsity ? global : null;
                    var batch = Batches.Read(train, indices);
                    var loss = Step(optimizer, batch, epoch, LearningRateSchedule.At(o, global, stepsPerEpoch, totalSteps, finalSparsityFrom));
                    if (!double.IsFinite(loss))
                    {
                        throw new CompressException(TrainingMessages.NonFiniteLoss(epoch + 1, step + 1, lastFinite));
                    }

                    lastFinite = loss;
                    lossSum += loss;
                    samples += indices.Length;
                    step++;
                    progress?.Report(new TrainingProgress(epoch + 1, o.Epochs, step, stepsPerEpoch, lossSum / step, _hook.Sparsity, null, clock.Elapsed));
                }

                trainingTime += epochClock.Elapsed;
                epochsRun++;
                var (acc, valLoss) = Evaluator.Evaluate(_module, validation, o.BatchSize);
                accuracy = acc;
                var byLoss = string.Equals(o.EarlyStopMetric, "loss", StringComparison.OrdinalIgnoreCase);
                history.Add(new EpochPoint(epoch + 1, _hook.Sparsity, step == 0 ? 0 : lossSum / step, acc));
                progress?.Report(new TrainingProgress(epoch + 1, o.Epochs, step, stepsPerEpoch, step == 0 ? 0 : lossSum / step, _hook.Sparsity, acc, clock.Elapsed));
                if (o.EarlyStopPatience > 0 && _hook.AtFinalSparsity)
                {
                    var score = byLoss ? -valLoss : acc;
                    if (score > bestMetric)
                    {
                        bestMetric = score;
                        sinceBest = 0;
                        DisposeAll(best);
                        best = Snapshot();
                    }
                    else if (++sinceBest >= o.EarlyStopPatience)
                    {
                        break;
                    }
                }
            }

            if (best is not null && sinceBest > 0)
            {
                Restore(best);
                accuracy = Evaluator.Evaluate(_module, validation, o.BatchSize).Accuracy;
            }
        }
        finally
        {
            DisposeAll(best);
        }

        var throughput = trainingTime.TotalSeconds > 0 ? samples / trainingTime.TotalSeconds : 0;
        return new FineTuneOutcome(history, accuracy, epochsRun, throughput);
    }

    private double Step(ScalarSafeOptimizer optimizer, Batch batch, int epoch, double learningRate)
    {
        using var scope = NewDisposeScope();
        optimizer.LearningRate = learningRate;
        optimizer.ZeroGrad();
        var x = tensor(batch.Features, batch.Shape);
        var labels = tensor(batch.Labels);
        var head = _module.Head;
        var scores = HeadObjective.Scores(_module, x);
        var loss = HeadObjective.Loss(head, scores, labels, _options.LabelSmoothing, batch.ValidFrames);
        if (_teacher is not null && _options.DistillationWeight > 0)
        {
            Tensor teacherScores;
            using (no_grad())
            {
                teacherScores = HeadObjective.Scores(_teacher, x);
            }

            // Scalars held until the native calls return (see ScalarSafeOptimizer).
            using var studentWeight = (1 - _options.DistillationWeight).ToScalar();
            using var teacherWeight = _options.DistillationWeight.ToScalar();
            loss = loss.mul(studentWeight).Plus(HeadObjective.Distillation(head, scores, teacherScores, _options.Temperature).mul(teacherWeight));
        }

        if (_hook.Penalty(epoch) is { } penalty)
        {
            loss = loss.Plus(penalty); // no transient Scalar (see RootedScalars)
        }

        var value = loss.item<float>();
        if (!float.IsFinite(value))
        {
            return value;
        }

        loss.backward();
        _hook.BeforeOptimizerStep();
        if (_options.GradientClip > 0)
        {
            nn.utils.clip_grad_norm_(_module.OnnxParameters.Values, _options.GradientClip);
        }

        optimizer.Step();
        _hook.AfterOptimizerStep();
        return value;
    }

    private Dictionary<string, Tensor> Snapshot()
    {
        using var noGrad = no_grad();
        var copy = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in _module.OnnxParameters)
        {
            copy[name] = p.detach().clone().DetachFromDisposeScope();
        }

        foreach (var (name, b) in _module.OnnxBuffers)
        {
            copy["buffer:" + name] = b.detach().clone().DetachFromDisposeScope();
        }

        return copy;
    }

    private void Restore(Dictionary<string, Tensor> snapshot)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in _module.OnnxParameters)
        {
            p.copy_(snapshot[name]);
        }

        foreach (var (name, b) in _module.OnnxBuffers)
        {
            b.copy_(snapshot["buffer:" + name]);
        }
    }

    private static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        foreach (var t in tensors?.Values ?? Enumerable.Empty<Tensor>())
        {
            t.Dispose();
        }
    }
}
