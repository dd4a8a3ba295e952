using Compress.Data;
using Compress.Diagnostics;
using Compress.Features;
using Compress.Runtime;

namespace Compress.Pipeline;

/// <summary>The data of a run: the three feature splits and the fingerprint of every file behind them. Disposing releases the sets.</summary>
internal sealed class PreparedData(LoadedDataset dataset, DataFingerprint fingerprint, IFeatureSet train, IFeatureSet validation, IFeatureSet test, IReadOnlyList<IDisposable> owned) : IDisposable
{
    public LoadedDataset Dataset { get; } = dataset;

    public DataFingerprint Fingerprint { get; } = fingerprint;

    public IFeatureSet Train { get; } = train;

    public IFeatureSet Validation { get; } = validation;

    /// <summary>The test split as the shipped model takes it (PCM when the front end is prepended).</summary>
    public IFeatureSet Test { get; } = test;

    public void Dispose()
    {
        foreach (var item in owned)
        {
            item.Dispose();
        }

        Dataset.Dispose();
    }
}

/// <summary>
/// Stage 2, <b>data</b>: loads the dataset (bad files as CMP3xxx; skipped ones as warnings), hashes every file once
/// (<see cref="DataFingerprint"/>, which the feature cache reuses for its key), and computes or reads the cached
/// features of each split (CMP3203 warnings when a cache file was rebuilt).
/// </summary>
internal static class DataStage
{

    /// <param name="clipLengths">
    /// Whether a CTC recogniser's clips carry their lengths (<see cref="OrtEvaluation.TakesAnyLength"/>): its CTC loss and measurement
    /// then skip each clip's padding frames. A model of fixed length is fed and read on the padded window by its app,
    /// so it trains and is measured on every frame.
    /// </param>
    public static Result<PreparedData> Run(PipelinePlan plan, RunContext context, bool clipLengths = true)
    {
        var ct = context.Cancellation;
        var loaded = Load(plan);
        if (loaded.Value is not var (dataset, fingerprint))
        {
            return Result<PreparedData>.Fail(loaded.Diagnostics);
        }

        var owned = new List<IDisposable>();
        try
        {
            var diagnostics = new List<Diagnostic>(loaded.Diagnostics);
            context.StageDone("load");
            ct.ThrowIfCancellationRequested();

            IFeatureSet train, validation, test;
            if (dataset.Features is { } npy)
            {
                (train, validation, test) = (npy.Train, npy.Validation, npy.Test);
            }
            else
            {
                var progress = new Progress<(int Done, int Total)>(p =>
                    context.Progress.Report(new ProgressUpdate(PipelineStage.Features, "features", p.Done, p.Total)));
                context.Report(PipelineStage.Features, $"features: {dataset.Train.Count} train, {dataset.Validation.Count} validation, {dataset.Test.Count} test clips");
                CachedFeatureSet Build(DatasetSplit split, Features.FrontEndOptions frontEnd)
                {
                    var set = FeatureCache.Build(dataset, split, frontEnd, plan.CacheFolder, plan.Augmentation, plan.Seed, progress, ct, fingerprint.Files);
                    owned.Add(set);
                    diagnostics.AddRange(set.Diagnostics);
                    return set;
                }

                train = Build(DatasetSplit.Train, plan.FrontEnd);
                validation = Build(DatasetSplit.Validation, plan.FrontEnd);

                // What ships is what is measured: with a prepended front end the shipped model takes PCM, so the test
                // split is measured on PCM through the shipped graph.
                test = Build(DatasetSplit.Test, plan.Prepend ? plan.FrontEnd with { Kind = FrontEndKind.None } : plan.FrontEnd);

                // A CTC recogniser of any length: its padding frames are not decoded (OrtEvaluation) and get no CTC loss
                // (training): each clip's length, from its header (the training copies' as far as the augmentation can
                // stretch and shift it).
                if (plan.Ctc is not null && clipLengths)
                {
                    train = ClipLengths.Wrap(train, dataset.Train, plan.FrontEnd, plan.Augmentation);
                    test = ClipLengths.Wrap(test, dataset.Test, plan.FrontEnd);
                }
            }

            context.StageDone("features");
            return Result<PreparedData>.Ok(new PreparedData(dataset, fingerprint, train, validation, test, owned), diagnostics);
        }
        catch
        {
            foreach (var set in owned)
            {
                set.Dispose();
            }

            dataset.Dispose();
            throw;
        }
    }

    /// <summary>The dataset (the caller disposes it) and the fingerprint of every file behind it: what <see cref="RunInputs"/> records.</summary>
    public static Result<LoadedData> Load(PipelinePlan plan)
    {
        TorchRuntime.Initialize();
        var loaded = DatasetLoader.TryLoad(plan.Dataset, plan.SpecFile);
        return loaded.Value is { } dataset
            ? Result<LoadedData>.Ok(new LoadedData(dataset, DataFingerprint.Of(dataset, dataset.BackgroundNoise)), loaded.Diagnostics)
            : Result<LoadedData>.Fail(loaded.Diagnostics);
    }
}

/// <summary>A loaded dataset with the fingerprint of its files.</summary>
internal sealed record LoadedData(LoadedDataset Dataset, DataFingerprint Fingerprint);
