using System.Diagnostics;
using System.Text.Json;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Export;
using Compress.Features;
using Compress.IO;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Compress.Pruning;
using Compress.Reporting;
using Compress.Runtime;
using Compress.Training;

namespace Compress.Pipeline;

/// <summary>
/// The whole job of <c>dotnet compress run</c>: load the model and data, cache features, check that the executor
/// reproduces ONNX Runtime on the input model (CMP2110), measure the dense baseline with ONNX Runtime, prune and
/// fine-tune, export into the original ModelProto, check ONNX Runtime reproduces the executor on the exported bytes,
/// measure them on the test split, apply the gate, and only then write the model, the manifest and the report. Every
/// file is written atomically; a failed gate or an error writes no model.
/// </summary>
public sealed class CompressPipeline : IPipelineRunner
{
    /// <summary>How many clips, the first of the test split, the checks of the input model (before training) and of the export run through both runtimes.</summary>
    public const int VerificationClips = 16;

    private readonly string _toolVersion;

    /// <summary>Creates the pipeline; <paramref name="toolVersion"/> is recorded in outputs.</summary>
    public CompressPipeline(string toolVersion) => _toolVersion = toolVersion;

    /// <inheritdoc />
    public PipelineResult Run(PipelineRequest request, IProgress<ProgressUpdate> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var diagnostics = new List<Diagnostic>();
        try
        {
            var plan = SpecMapping.ToPlan(request, diagnostics);
            if (plan is null || diagnostics.Any(d => d.IsError))
            {
                return new PipelineResult(PipelineOutcome.Failed, diagnostics);
            }

            return Execute(plan, progress, diagnostics, cancellationToken);
        }
        catch (CompressException e)
        {
            diagnostics.AddRange(e.Diagnostics);
            return new PipelineResult(PipelineOutcome.Failed, diagnostics);
        }
        catch (OperationCanceledException)
        {
            return new PipelineResult(PipelineOutcome.Cancelled, diagnostics);
        }
    }

    private PipelineResult Execute(PipelinePlan plan, IProgress<ProgressUpdate> progress, List<Diagnostic> diagnostics, CancellationToken ct)
    {
        var timings = new List<StageTiming>();
        var clock = Stopwatch.StartNew();
        void Stage(string name)
        {
            timings.Add(new StageTiming(name, Math.Round(clock.Elapsed.TotalSeconds, 3)));
            clock.Restart();
        }

        progress.Report(new ProgressUpdate(PipelineStage.Load, $"loading {plan.ModelPath}"));
        TorchRuntime.Initialize();
        var model = OnnxModelIO.Load(plan.ModelPath);
        var modelSha256 = RunManifest.HashFile(plan.ModelPath);
        var problems = CompressionEngine.Validate(model, plan.Pruning);
        diagnostics.AddRange(problems);
        if (problems.Any(p => p.IsError))
        {
            return new PipelineResult(PipelineOutcome.Failed, diagnostics);
        }

        using var dataset = DatasetLoader.Load(plan.Dataset, plan.SpecFile);
        diagnostics.AddRange(dataset.Diagnostics);
        if (dataset.Diagnostics.Any(p => p.IsError))
        {
            return new PipelineResult(PipelineOutcome.Failed, diagnostics);
        }

        var fingerprint = DataFingerprint.Of(dataset, dataset.BackgroundNoise);
        Stage("load");
        ct.ThrowIfCancellationRequested();

        var featureProgress = new Progress<(int Done, int Total)>(p =>
            progress.Report(new ProgressUpdate(PipelineStage.Features, "features", p.Done, p.Total)));
        var sets = new List<IFeatureSet>();
        try
        {
            IFeatureSet train, validation, test;
            if (dataset.Features is { } npy)
            {
                (train, validation, test) = (npy.Train, npy.Validation, npy.Test);
            }
            else
            {
                progress.Report(new ProgressUpdate(PipelineStage.Features, $"features: {dataset.Train.Count} train, {dataset.Validation.Count} validation, {dataset.Test.Count} test clips"));
                train = Track(FeatureCache.Build(dataset, DatasetSplit.Train, plan.FrontEnd, plan.CacheFolder, plan.Augmentation, plan.Seed, featureProgress, ct));
                validation = Track(FeatureCache.Build(dataset, DatasetSplit.Validation, plan.FrontEnd, plan.CacheFolder, null, plan.Seed, featureProgress, ct));

                // What ships is what is measured: with a prepended front end the shipped model takes PCM, so the test
                // split is measured on PCM through the shipped graph.
                var measureFrontEnd = plan.Prepend ? plan.FrontEnd with { Kind = FrontEndKind.None } : plan.FrontEnd;
                test = Track(FeatureCache.Build(dataset, DatasetSplit.Test, measureFrontEnd, plan.CacheFolder, null, plan.Seed, featureProgress, ct));
            }

            Stage("features");
            return Measure(plan, model, modelSha256, fingerprint, train, validation, test, progress, diagnostics, timings, Stage, ct);
        }
        finally
        {
            foreach (var set in sets)
            {
                set.Dispose();
            }
        }

        IFeatureSet Track(IFeatureSet set)
        {
            sets.Add(set);
            return set;
        }
    }

    private PipelineResult Measure(
        PipelinePlan plan, ModelProto model, string modelSha256, DataFingerprint fingerprint, IFeatureSet train, IFeatureSet validation, IFeatureSet test,
        IProgress<ProgressUpdate> progress, List<Diagnostic> diagnostics, List<StageTiming> timings, Action<string> stage, CancellationToken ct)
    {
        progress.Report(new ProgressUpdate(PipelineStage.Baseline, "checking the executor against ONNX Runtime on the input model"));
        var denseShipped = Ship(model, plan);
        var denseBytes = OnnxModelIO.Save(denseShipped);
        var (checkBatch, checkShape) = FirstItems(test, OrtEvaluation.FeedShape(denseShipped, test.ItemShape), VerificationClips);
        var kernelProblems = InputModelCheck.Run(denseShipped, denseBytes, checkBatch, checkShape, plan.ModelPath);
        if (kernelProblems.Count > 0)
        {
            diagnostics.AddRange(kernelProblems);
            return new PipelineResult(PipelineOutcome.Failed, diagnostics);
        }

        progress.Report(new ProgressUpdate(PipelineStage.Baseline, "measuring the dense baseline with ONNX Runtime"));
        var baseline = Run(() => OrtEvaluation.Measure(denseBytes, test, plan.Labels, OrtEvaluation.FeedShape(denseShipped, test.ItemShape), threads: plan.Threads, cancellationToken: ct), plan.ModelPath, "the dense model");
        var baselineValue = MetricValue(plan, baseline);
        progress.Report(new ProgressUpdate(PipelineStage.Baseline, $"baseline {plan.Gate.Metric} {baselineValue:0.0000}", Metric: baselineValue));
        stage("baseline");

        var trials = new List<TrialRecord>();
        Attempt? best = null;
        foreach (var sparsity in SparsityPlan(plan))
        {
            ct.ThrowIfCancellationRequested();
            var attempt = Compress(plan, plan.Pruning with { TargetSparsity = sparsity }, model, modelSha256, train, validation, test, baselineValue, progress, ct);
            if (plan.SearchMaxSparsity)
            {
                trials.Add(new TrialRecord(attempt.Result.TotalSparsity, attempt.Value, attempt.Gate.Passed, $"target {sparsity:0.00}"));
                progress.Report(new ProgressUpdate(PipelineStage.Gate, $"trial at sparsity {attempt.Result.TotalSparsity:0.000}: {plan.Gate.Metric} {attempt.Value:0.0000} {(attempt.Gate.Passed ? "passes" : "fails")}"));
            }

            if (best is null || (attempt.Gate.Passed && (!best.Gate.Passed || attempt.Result.TotalSparsity > best.Result.TotalSparsity)))
            {
                best = attempt;
            }

            if (!plan.SearchMaxSparsity)
            {
                break;
            }
        }

        stage("train+export+evaluate");
        var chosen = best!;
        var gateOutcome = chosen.Gate;
        var embedded = EmbeddedCompressor.Compress(chosen.Bytes, plan.Compression, plan.Filter);
        if (!EmbeddedCompressor.Decompress(embedded, plan.Compression).AsSpan().SequenceEqual(chosen.Bytes))
        {
            diagnostics.Add(ExportMessages.EmbeddingMismatch(plan.OutputPath));
            return new PipelineResult(PipelineOutcome.Failed, diagnostics);
        }

        var report = BuildReport(plan, modelSha256, fingerprint, baseline, baselineValue, chosen, trials, timings, denseBytes.Length, embedded.Length);
        if (plan.ReportFolder is not null)
        {
            progress.Report(new ProgressUpdate(PipelineStage.Report, $"writing the report to {plan.ReportFolder}"));
            ReportWriter.Write(report, plan.ReportFolder);
        }

        if (!gateOutcome.Passed)
        {
            diagnostics.AddRange(gateOutcome.Failures);
            return new PipelineResult(PipelineOutcome.GateFailed, diagnostics);
        }

        AtomicFile.WriteAllBytes(plan.OutputPath, embedded);
        if (plan.ManifestPath is not null)
        {
            WriteManifest(plan, chosen, embedded, fingerprint, modelSha256);
        }

        progress.Report(new ProgressUpdate(PipelineStage.Report,
            $"wrote {plan.OutputPath}: {embedded.Length} bytes ({100.0 * embedded.Length / denseBytes.Length:0.0}% of the dense model), {plan.Gate.Metric} {chosen.Value:0.0000} (baseline {baselineValue:0.0000}), sparsity {chosen.Result.TotalSparsity:0.000}"));
        return new PipelineResult(PipelineOutcome.Succeeded, diagnostics, plan.OutputPath);
    }

    /// <summary>One pruning + fine-tuning run, exported, verified and measured.</summary>
    private sealed record Attempt(CompressionResult Result, byte[] Bytes, OrtMeasurement Measurement, double Value, GateOutcome Gate);

    private Attempt Compress(
        PipelinePlan plan, PruningOptions pruning, ModelProto model, string modelSha256, IFeatureSet train, IFeatureSet validation, IFeatureSet test,
        double baselineValue, IProgress<ProgressUpdate> progress, CancellationToken ct)
    {
        var engine = new CompressionEngine();
        var trainingProgress = new Progress<TrainingProgress>(p => progress.Report(new ProgressUpdate(
            PipelineStage.Train, "training", p.Step, p.Steps, p.Epoch, p.Epochs, p.Loss, p.ValidationMetric, p.Sparsity,
            p.Step > 0 ? TimeSpan.FromTicks(p.Elapsed.Ticks / Math.Max(1, ((p.Epoch - 1) * (long)p.Steps) + p.Step) * (((long)p.Epochs * p.Steps) - (((p.Epoch - 1) * (long)p.Steps) + p.Step))) : null)));
        var result = engine.Run(model, new FeatureSetTrainingData(train), new FeatureSetTrainingData(validation), pruning, plan.FineTune, trainingProgress, ct);

        progress.Report(new ProgressUpdate(PipelineStage.Export, $"exporting ({plan.Storage}, sparsity {result.TotalSparsity:0.000})"));
        var shipped = Ship(result.Model, plan);
        new ModelMetadata(
            plan.Labels,
            plan.FrontEnd.SampleRate,
            plan.Prepend || plan.FrontEnd.Kind != FrontEndKind.None ? JsonSerializer.Serialize(plan.FrontEnd) : null,
            result.TotalSparsity,
            modelSha256,
            plan.SpecSha256,
            _toolVersion).WriteTo(shipped);
        var bytes = OnnxModelIO.Save(SparseInitializers.Apply(shipped, plan.Storage));

        // The exported bytes must reproduce the executor on real clips, or nothing is written.
        var (batch, shape) = FirstItems(test, OrtEvaluation.FeedShape(shipped, test.ItemShape), VerificationClips);
        var mismatch = ExportVerifier.Verify(shipped, bytes, batch, shape, plan.OutputPath);
        if (mismatch.Count > 0)
        {
            throw new CompressException(mismatch);
        }

        progress.Report(new ProgressUpdate(PipelineStage.Evaluate, "measuring the compressed model with ONNX Runtime"));
        var measurement = Run(() => OrtEvaluation.Measure(bytes, test, plan.Labels, OrtEvaluation.FeedShape(shipped, test.ItemShape), threads: plan.Threads, cancellationToken: ct), plan.OutputPath, "the compressed model");
        var value = MetricValue(plan, measurement);
        var gate = plan.Gate.Evaluate(value, baselineValue, result.TotalSparsity, plan.GateLocation);
        return new Attempt(result, bytes, measurement, value, gate);
    }

    /// <summary>The model as it ships: with the front end in front when the spec asks for it.</summary>
    private static ModelProto Ship(ModelProto model, PipelinePlan plan) =>
        plan.Prepend ? FrontEndGraph.Prepend(model, plan.FrontEnd) : model.Clone();

    /// <summary>The sparsities to try: the target, or for <c>target_sparsity: max</c> an ascending sweep.</summary>
    private static IEnumerable<double> SparsityPlan(PipelinePlan plan)
    {
        if (!plan.SearchMaxSparsity)
        {
            yield return plan.Pruning.TargetSparsity;
            yield break;
        }

        // Ascending, bounded: each step closes a third of the remaining gap to the layer ceiling.
        var ceiling = Math.Min(plan.Pruning.MaxLayerSparsity, 0.98);
        var s = 0.5;
        for (var i = 0; i < plan.MaxTrials; i++)
        {
            yield return Math.Round(s, 3);
            s += (ceiling - s) / 3;
        }
    }

    private static double MetricValue(PipelinePlan plan, OrtMeasurement m)
    {
        switch (plan.Gate.Metric)
        {
            case "accuracy":
                return m.Metrics.Accuracy;
            case "macro_f1":
                return m.Metrics.MacroF1;
            case "frr_at_fa_per_hour":
                var positive = WakeWordIndex(plan.Labels);
                var positives = new List<float>();
                var negatives = new List<float>();
                for (var i = 0; i < m.Scores.Count; i++)
                {
                    (m.Truth[i] == positive ? positives : negatives).Add(m.Scores[i][positive]);
                }

                var hours = negatives.Count * plan.FrontEnd.ClipSeconds / 3600.0;
                return WakeWordOperatingPoint.At(positives, negatives, hours, plan.FaPerHour).FalseRejectRate;
            default:
                throw new InvalidOperationException($"metric '{plan.Gate.Metric}' is not mapped (the spec parser only admits known metrics)");
        }
    }

    /// <summary>The wake word of a wake-word model: the first label that is not a Speech Commands special class.</summary>
    private static int WakeWordIndex(IReadOnlyList<string> labels)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (!labels[i].StartsWith('_'))
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>Runs an ONNX Runtime measurement, turning its failures into CMP2109 for <paramref name="file"/>.</summary>
    internal static OrtMeasurement Run(Func<OrtMeasurement> measure, string file, string what)
    {
        try
        {
            return measure();
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw new CompressException(ModelMessages.DataRunFailed(file, what, e.Message.Split('\n')[0].Trim()), e);
        }
    }

    private static (float[] Batch, long[] Shape) FirstItems(IFeatureSet set, IReadOnlyList<long> feedShape, int count)
    {
        var n = Math.Min(count, set.Count);
        var itemSize = (int)set.ItemShape.Aggregate(1L, (a, d) => a * d);
        var batch = new float[n * itemSize];
        for (var i = 0; i < n; i++)
        {
            set.ReadFeatures(i, batch.AsSpan(i * itemSize, itemSize));
        }

        return (batch, [n, .. feedShape]);
    }

    private CompressionReport BuildReport(
        PipelinePlan plan, string modelSha256, DataFingerprint data, OrtMeasurement baseline, double baselineValue, Attempt chosen,
        IReadOnlyList<TrialRecord> trials, IReadOnlyList<StageTiming> timings, long denseBytes, long embeddedBytes)
    {
        var inputs = new List<InputRecord>
        {
            new("spec", plan.SpecFile, RunManifest.HashFile(plan.SpecFile)),
            new("model", plan.ModelPath, modelSha256),
            new("data", plan.Dataset.Root, data.Sha256),
        };
        var g = plan.Gate;
        return new CompressionReport
        {
            ToolVersion = _toolVersion,
            Inputs = inputs,
            Timings = timings,
            Method = plan.Pruning.Method.ToString().ToLowerInvariant(),
            Layers = chosen.Result.Layers,
            TotalSparsity = chosen.Result.TotalSparsity,
            Baseline = Record(baseline, plan, baselineValue),
            Compressed = Record(chosen.Measurement, plan, chosen.Value),
            Gate = new GateRecord(g.Metric, g.Min, g.Max, g.MaxDrop, g.MaxRelativeDrop, chosen.Value, baselineValue, chosen.Gate.Passed,
                chosen.Gate.Failures.Select(f => f.Message).ToList()),
            Sizes = new SizeRecord(denseBytes, chosen.Bytes.Length, embeddedBytes, StorageName(plan.Storage), plan.Compression.ToString().ToLowerInvariant(), plan.Filter.ToString().ToLowerInvariant()),
            Schedule = chosen.Result.History,
            Trials = trials,
        };
    }

    private static MetricsRecord Record(OrtMeasurement m, PipelinePlan plan, double value) => new(
        m.Metrics.Count,
        m.Metrics.Accuracy,
        m.Metrics.MacroF1,
        m.Metrics.PerClass.Select(c => new ClassRecord(c.Label, c.Support, c.Precision, c.Recall, c.F1)).ToList(),
        m.Metrics.Confusion,
        plan.Gate.Metric == "frr_at_fa_per_hour" ? value : null,
        LatencyMsPerClip: Math.Round(m.MedianLatencyMs, 4));

    private static string StorageName(StorageMode mode) => mode switch
    {
        StorageMode.Sparse => "sparse",
        StorageMode.SparseInt64 => "sparse-int64",
        _ => "dense",
    };

    private void WriteManifest(PipelinePlan plan, Attempt chosen, byte[] embedded, DataFingerprint data, string modelSha256)
    {
        var shipped = ModelProto.Parser.ParseFrom(chosen.Bytes);
        var input = OrtEvaluation.DataInput(shipped);
        var shape = input.Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1L).ToList() ?? [];
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [plan.SpecFile] = RunManifest.HashFile(plan.SpecFile),
            [plan.ModelPath] = modelSha256,
        };
        foreach (var (path, sha) in data.Files)
        {
            files[path] = sha;
        }

        new RunManifest
        {
            ToolVersion = _toolVersion,
            Output = Path.GetFullPath(plan.OutputPath),
            Compression = plan.Compression.ToString().ToLowerInvariant(),
            Filter = plan.Filter.ToString().ToLowerInvariant(),
            Labels = plan.Labels,
            SampleRate = plan.FrontEnd.SampleRate,
            InputName = input.Name,
            InputShape = shape,
            OutputName = shipped.Graph.Output[0].Name,
            Inputs = files.Select(f => new ManifestInput(f.Key, f.Value)).ToList(),
            Sha256 = RunManifest.Hash(embedded),
        }.Write(plan.ManifestPath!);
    }
}
