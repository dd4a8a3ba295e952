using Compress.Diagnostics;
using Compress.Graph;
using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>Checks, before training, that the data fits the model: items of the model input's shape and labels below its class count (CMP4005).</summary>
internal static class DataChecks
{
    /// <param name="scoresByGradient">The pruning method scores weights on the training data (gradients, or the layer inputs <c>reconstruct</c> re-solves on), so that data must not be empty even without epochs.</param>
    public static void Check(OnnxGraphModule module, ITrainingData train, ITrainingData validation, FineTuneOptions options, bool scoresByGradient)
    {
        var problems = new List<Diagnostic>();
        if (module.InputNames.Count != 1)
        {
            problems.Add(TrainingMessages.DataMismatch("training", $"the model has {module.InputNames.Count} inputs; training feeds exactly one"));
            throw new CompressException(problems);
        }

        if (train.Count == 0 && (options.Epochs > 0 || scoresByGradient))
        {
            problems.Add(TrainingMessages.DataMismatch("training", "has no items"));
        }

        if (validation.Count == 0)
        {
            problems.Add(TrainingMessages.DataMismatch("validation", "has no items"));
        }

        var input = module.Model.Graph.Input.First(i => i.Name == module.InputNames[0]);
        var dims = input.Type?.TensorType?.Shape?.Dim;
        foreach (var (split, data) in new[] { ("training", train), ("validation", validation) })
        {
            if (dims is { Count: > 0 } && (dims.Count != data.ItemShape.Count + 1 || dims.Skip(1).Zip(data.ItemShape).Any(p => p.First.DimValue > 0 && p.First.DimValue != p.Second)))
            {
                problems.Add(TrainingMessages.DataMismatch(split, $"items have shape [{string.Join(",", data.ItemShape)}] but the model input '{input.Name}' is [{string.Join(",", dims.Select(d => d.DimValue > 0 ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam))}]"));
            }
        }

        if (problems.Count > 0)
        {
            throw new CompressException(problems);
        }

        var sample = validation.Count > 0 ? validation : train;
        long classes;
        module.eval();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var batch = Batches.Read(sample, [0]);
            var raw = module.ForwardScores(tensor(batch.Features, batch.Shape));
            var oneScore = module.Head.Kind != HeadKind.Sigmoid || raw.numel() == 1;
            classes = (oneScore ? HeadObjective.Classes(module.Head, HeadObjective.Shape(module.Head, raw)) : null)
                ?? throw new CompressException(TrainingMessages.DataMismatch("training", module.Head.Ctc is { } c
                    ? $"the model output '{module.Head.Output}' has shape [{string.Join(",", raw.shape)}]; CTC training needs [{(c.TimeMajor ? "T, N" : "N, T")}, {c.Vocabulary}] ({c.Vocabulary} labels)"
                    : $"the model output '{module.Head.Output}' ({module.Head.Description}) has shape [{string.Join(",", raw.shape)}]; classification training needs [N, classes]"));
            if (module.Head.Ctc is { } ctc)
            {
                CheckCtc(ctc, raw, sample);
            }
        }

        module.train();
        foreach (var (split, data) in new[] { ("training", train), ("validation", validation) })
        {
            for (var i = 0; i < data.Count; i++)
            {
                var label = data.LabelOf(i);
                if (label < 0 || label >= classes)
                {
                    throw new CompressException(TrainingMessages.DataMismatch(split, $"item {i} has label {label} but the model has {classes} classes"));
                }
            }
        }
    }

    /// <summary>
    /// A CTC output must put the batch where the layout says (a batch of two is run, so a time-major model read as
    /// batch-major is caught before training), and have enough frames for every transcript.
    /// </summary>
    private static void CheckCtc(CtcHead ctc, Tensor raw, ITrainingData sample)
    {
        var frames = raw.shape[ctc.TimeAxis];
        if (raw.shape[ctc.BatchAxis] != 1 && sample.Count > 0)
        {
            throw new CompressException(TrainingMessages.DataMismatch("training", $"one item gives an output of shape [{string.Join(",", raw.shape)}], whose axis {ctc.BatchAxis} is not the batch; check ctc.layout ({(ctc.TimeMajor ? "time_batch" : "batch_time")})"));
        }

        for (var c = 0; c < ctc.Targets.Count; c++)
        {
            var needed = Text.CtcVocabulary.MinimumFrames(ctc.Targets[c]);
            if (needed > frames)
            {
                throw new CompressException(TrainingMessages.DataMismatch("training", $"transcript {c} needs at least {needed} output frames but the model gives {frames} per clip; use longer clips or a model with less time reduction"));
            }
        }
    }
}
