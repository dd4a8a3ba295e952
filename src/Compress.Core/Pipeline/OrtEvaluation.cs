using Compress.Data;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Graph;

namespace Compress.Pipeline;

/// <summary>
/// Measures model bytes with ONNX Runtime on a feature set, batch by batch (memory stays at one batch). This is the
/// only way Compress measures accuracy: the baseline and the compressed model go through the same code on the same
/// split.
/// </summary>
public static class OrtEvaluation
{
    /// <summary>Runs every item of <paramref name="set"/> through <paramref name="modelBytes"/>.</summary>
    /// <param name="labels">Class names in model-output order.</param>
    /// <param name="itemShape">The shape one item is fed as (default: the set's; PCM <c>[1, samples]</c> is fed as <c>[samples]</c> to a model taking <c>[N, samples]</c>).</param>
    /// <param name="head">The output measured and how its values become class probabilities (<see cref="Probabilities"/>); default: the first output, read as logits.</param>
    /// <param name="fixedBatch">The model takes exactly <paramref name="batchSize"/> items per run (an export without a dynamic batch axis): the last batch is padded with zeros, whose rows are not read.</param>
    /// <exception cref="Microsoft.ML.OnnxRuntime.OnnxRuntimeException">The model cannot run on these items.</exception>
    /// <exception cref="InvalidDataException">A CTC head's output does not have the shape its layout and vocabulary say.</exception>
    public static OrtMeasurement Measure(byte[] modelBytes, IFeatureSet set, IReadOnlyList<string> labels, IReadOnlyList<long>? itemShape = null, int batchSize = 64, int threads = 0, CancellationToken cancellationToken = default, OutputHead? head = null, bool fixedBatch = false)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(labels);
        if (head?.Ctc is { } ctc)
        {
            return MeasureTranscription(modelBytes, set, labels, itemShape, batchSize, fixedBatch, threads, head, ctc, cancellationToken);
        }

        var kind = head?.Kind ?? HeadKind.Logits;
        using var classifier = new OrtClassifier(modelBytes, threads, head?.Output);
        var shapeOfItem = itemShape ?? set.ItemShape;
        var truth = new int[set.Count];
        var predicted = new int[set.Count];
        var scores = new List<float[]>(set.Count);
        var perClip = new List<double>();
        foreach (var (start, n, fed, batch) in Batches(set, batchSize, fixedBatch, truth, cancellationToken))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var rows = classifier.Score(batch, [fed, .. shapeOfItem]);
            perClip.Add(watch.Elapsed.TotalMilliseconds / n);
            for (var i = 0; i < n; i++)
            {
                var probabilities = Probabilities(kind, rows[i]);
                predicted[start + i] = kind == HeadKind.Sigmoid ? (rows[i][0] >= 0.5f ? 1 : 0) : OrtClassifier.ArgMax(probabilities);
                scores.Add(probabilities);
            }
        }

        perClip.Sort();
        var median = perClip.Count == 0 ? 0 : perClip[perClip.Count / 2];
        return new OrtMeasurement(ClassificationMetrics.Compute(truth, predicted, labels), scores, truth, median)
        {
            PositiveClass = kind == HeadKind.Sigmoid ? 1 : null,
            Predicted = predicted,
        };
    }

    /// <summary>
    /// A CTC recogniser on a set whose labels index <paramref name="transcripts"/>: each clip's output is decoded
    /// greedily (best token per frame, repeats collapsed, blanks removed; identical for logits, probabilities and
    /// log-probabilities, so the output is read as it ships) and scored against its transcript. The classification
    /// metrics treat each transcript as a class, plus one class for hypotheses that are no transcript of the set.
    /// </summary>
    private static OrtMeasurement MeasureTranscription(byte[] modelBytes, IFeatureSet set, IReadOnlyList<string> transcripts, IReadOnlyList<long>? itemShape, int batchSize, bool fixedBatch, int threads, OutputHead head, CtcHead ctc, CancellationToken cancellationToken)
    {
        using var classifier = new OrtClassifier(modelBytes, threads, head.Output);
        var anyLength = classifier.TakesAnyLength;
        var vocabulary = new Text.CtcVocabulary(ctc.Tokens, ctc.Blank, ctc.Delimiter);
        var shapeOfItem = itemShape ?? set.ItemShape;
        var index = transcripts.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        var truth = new int[set.Count];
        var predicted = new int[set.Count];
        var hypotheses = new string[set.Count];
        var perClip = new List<double>();
        foreach (var (start, n, fed, batch) in Batches(set, batchSize, fixedBatch, truth, cancellationToken))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (values, shape) = classifier.Run(batch, [fed, .. shapeOfItem]);
            perClip.Add(watch.Elapsed.TotalMilliseconds / n);
            if (shape.Length != 3 || shape[ctc.BatchAxis] != fed || shape[2] != ctc.Vocabulary)
            {
                throw new InvalidDataException(
                    $"output '{head.Output}' has shape [{string.Join(",", shape)}] for {fed} clips; CTC needs [{(ctc.TimeMajor ? $"T,{fed}" : $"{fed},T")},{ctc.Vocabulary}]");
            }

            for (var i = 0; i < n; i++)
            {
                // Frames computed from the silence a clip was padded with are not decoded (ClipLengths) when the model takes
                // clips of any length, as its app feeds them. A fixed-length model is fed the padded window by its app too,
                // and every frame of it is read: so that is what is measured (its last tokens may come after the clip).
                var valid = anyLength ? CtcHead.ValidOutputFrames((int)shape[ctc.TimeAxis], set.ValidFrames(start + i)) : (int)shape[ctc.TimeAxis];
                var text = ctc.Grammar is { } grammar
                    ? grammar.Phrases[GrammarPhrase(grammar, values, shape, ctc.TimeMajor, i, valid)]
                    : vocabulary.Detokenize(Text.CtcVocabulary.Collapse(BestTokens(values, shape, ctc.TimeMajor, i, valid), ctc.Blank));
                hypotheses[start + i] = text;
                predicted[start + i] = index.TryGetValue(text, out var k) ? k : transcripts.Count;
            }
        }

        perClip.Sort();
        var references = truth.Select(t => transcripts[t]).ToList();
        var classes = transcripts.Append(NoTranscript).ToList();
        return new OrtMeasurement(ClassificationMetrics.Compute(truth, predicted, classes), [], truth, perClip.Count == 0 ? 0 : perClip[perClip.Count / 2])
        {
            Predicted = predicted,
            Transcription = TranscriptionMetrics.Compute(references, hypotheses) with
            {
                Decoder = ctc.Grammar is { } closed ? $"grammar of {closed.Phrases.Count} phrases" : "greedy",
            },
        };
    }

    /// <summary>
    /// The set in order, batch by batch (one buffer reused: each batch is valid until the next is read), with each item's
    /// label written into <paramref name="truth"/> as it is read. <c>Fed</c> is the number of rows the batch holds:
    /// <c>Count</c>, or with <paramref name="fixedBatch"/> always <paramref name="batchSize"/> (the rows after
    /// <c>Count</c> zeros).
    /// </summary>
    private static IEnumerable<(int Start, int Count, int Fed, float[] Batch)> Batches(IFeatureSet set, int batchSize, bool fixedBatch, int[] truth, CancellationToken cancellationToken)
    {
        var itemSize = (int)set.ItemShape.Aggregate(1L, (a, d) => a * d);
        var buffer = new float[(fixedBatch ? batchSize : Math.Min(batchSize, Math.Max(1, set.Count))) * itemSize];
        for (var start = 0; start < set.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = Math.Min(batchSize, set.Count - start);
            for (var i = 0; i < n; i++)
            {
                set.ReadFeatures(start + i, buffer.AsSpan(i * itemSize, itemSize));
                truth[start + i] = set.LabelOf(start + i);
            }

            if (fixedBatch)
            {
                buffer.AsSpan(n * itemSize).Clear();
                yield return (start, n, batchSize, buffer);
            }
            else
            {
                yield return (start, n, n, n * itemSize == buffer.Length ? buffer : buffer[..(n * itemSize)]);
            }
        }
    }

    /// <summary>The class a CTC hypothesis falls in when it is none of the split's transcripts.</summary>
    public const string NoTranscript = "(no transcript)";

    /// <summary>The grammar's most probable phrase for item <paramref name="item"/> of a [N, T, V] or [T, N, V] output, over its first <paramref name="valid"/> frames.</summary>
    private static int GrammarPhrase(Text.CtcGrammar grammar, float[] values, long[] shape, bool timeMajor, int item, int valid)
    {
        int batch = (int)shape[timeMajor ? 1 : 0], frames = (int)shape[timeMajor ? 0 : 1], vocabulary = (int)shape[2];
        return timeMajor
            ? grammar.Decode(values, valid, vocabulary, item * vocabulary, batch * vocabulary).Phrase
            : grammar.Decode(values, valid, vocabulary, item * frames * vocabulary, vocabulary).Phrase;
    }

    /// <summary>The best token of the first <paramref name="valid"/> frames of item <paramref name="item"/> in a [N, T, V] or [T, N, V] output.</summary>
    private static int[] BestTokens(float[] values, long[] shape, bool timeMajor, int item, int valid)
    {
        var (items, frames, vocabulary) = timeMajor ? ((int)shape[1], (int)shape[0], (int)shape[2]) : ((int)shape[0], (int)shape[1], (int)shape[2]);
        var best = new int[valid];
        for (var t = 0; t < valid; t++)
        {
            var offset = timeMajor ? ((t * items) + item) * vocabulary : ((item * frames) + t) * vocabulary;
            best[t] = OrtClassifier.ArgMax(values.AsSpan(offset, vocabulary));
        }

        return best;
    }

    /// <summary>
    /// One clip's class probabilities from the values the output ships: softmax of logits, Softmax probabilities as
    /// they are, exp of log-probabilities, and a sigmoid probability p as [1 − p, p] (measuring
    /// predicts class 1 exactly when p ≥ 0.5).
    /// </summary>
    public static float[] Probabilities(HeadKind kind, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return kind switch
        {
            HeadKind.Logits => Softmax(values),
            HeadKind.Softmax => values,
            HeadKind.LogSoftmax => [.. values.Select(MathF.Exp)],
            HeadKind.Sigmoid => [1 - values[0], values[0]],
        };
    }

    /// <summary>
    /// Measures <paramref name="modelBytes"/> (the serialised <paramref name="model"/>) on every item of
    /// <paramref name="set"/>, fed in the shape the model takes, reading <paramref name="head"/>'s output (default: the
    /// first output's head). ONNX Runtime's failures become CMP2109 naming <paramref name="file"/> and
    /// <paramref name="what"/> (e.g. "the dense model").
    /// </summary>
    public static Result<OrtMeasurement> Measure(byte[] modelBytes, Onnx.Proto.ModelProto model, IFeatureSet set, IReadOnlyList<string> labels, int threads, string file, string what, CancellationToken cancellationToken, OutputHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        try
        {
            // An export without a dynamic batch axis (torch.onnx.export without dynamic_axes: batch 1) is fed that many clips a run.
            var batch = FixedBatch(model);
            return Result<OrtMeasurement>.Ok(Measure(modelBytes, set, labels, FeedShape(model, set.ItemShape), batch ?? 64, threads, cancellationToken, head ?? OutputHead.First(model), fixedBatch: batch is not null));
        }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidDataException)
        {
            return Result<OrtMeasurement>.Fail([ModelMessages.DataRunFailed(file, what, e.Message.Split('\n')[0].Trim())]);
        }
    }

    /// <summary>
    /// The shape an item is fed as to <paramref name="model"/>'s first data input: the set's item shape, or with its
    /// leading 1 dropped when the model's input has one dimension fewer (PCM <c>[1, samples]</c> to <c>[N, samples]</c>).
    /// </summary>
    public static IReadOnlyList<long> FeedShape(Onnx.Proto.ModelProto model, IReadOnlyList<long> itemShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(itemShape);
        var rank = DataInput(model).Type?.TensorType?.Shape?.Dim.Count ?? itemShape.Count + 1;
        return rank == itemShape.Count && itemShape.Count > 1 && itemShape[0] == 1 ? itemShape.Skip(1).ToList() : itemShape;
    }

    /// <summary>The batch size the model's data input fixes (a number as its first dimension), or null when it takes any.</summary>
    public static int? FixedBatch(Onnx.Proto.ModelProto model)
    {
        var dims = DataInput(model).Type?.TensorType?.Shape?.Dim;
        return dims is { Count: > 0 } && dims[0].HasDimValue && dims[0].DimValue > 0 ? (int)dims[0].DimValue : null;
    }

    /// <summary>True when a data input has a symbolic dimension after the batch: the model takes clips of any length.</summary>
    public static bool TakesAnyLength(Onnx.Proto.ValueInfoProto input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Type?.TensorType?.Shape?.Dim.Skip(1).Any(d => !d.HasDimValue) == true;
    }

    /// <summary>The model's first graph input that is not backed by an initializer: the one data is fed to.</summary>
    public static Onnx.Proto.ValueInfoProto DataInput(Onnx.Proto.ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Input.First(i => !initializers.Contains(i.Name));
    }

    /// <summary>Softmax of logits (identity-safe for inputs that are already probabilities: they are re-normalised).</summary>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var result = new float[logits.Length];
        if (logits.Length == 0)
        {
            return result;
        }

        var max = float.NegativeInfinity;
        foreach (var v in logits)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            result[i] = MathF.Exp(logits[i] - max);
            sum += result[i];
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)(result[i] / sum);
        }

        return result;
    }
}
