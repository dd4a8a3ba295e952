using System.Security.Cryptography;
using System.Text;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Graph;
using static TorchSharp.torch;

namespace Compress.Features;

/// <summary>
/// Computes features once and keeps them on disk: the cache file is named by a SHA-256 key over the code version
/// (<see cref="CachedFeatureSet.FormatVersion"/>), whether libtorch's oneDNN is on (<see cref="Runtime.OneDnnGuard"/>), the front-end (<see cref="FrontEndGraph.Describe"/>), the
/// augmentation, the seed, the background-noise files' bytes and every item's label and file bytes. A call with an
/// existing key only maps the file. Computing streams: clips are decoded in parallel a batch at a time, the
/// front-end graph runs in the executor on the batch, and the batch's features go straight to the file, so memory
/// does not grow with the number of items. Items are stored copy-major: index = copy · items + item.
/// </summary>
public static class FeatureCache
{
    /// <summary>Clips per front-end batch.</summary>
    public const int BatchSize = 64;

    /// <summary>File name extension of cache files.</summary>
    public const string Extension = ".features";

    /// <summary>
    /// Returns the cached features of <paramref name="items"/>, computing them when the cache has no file for their
    /// key. With <paramref name="augmentation"/> (training only) each item appears <see cref="AugmentationOptions.Copies"/>
    /// times, each copy differently augmented; without it, once and clean. <paramref name="backgroundNoise"/> (WAVE
    /// paths, usually <see cref="LoadedDataset.BackgroundNoise"/>) feeds <c>_silence_</c> items and noise mixing.
    /// Throws <see cref="CompressException"/> for undecodable files (CMP300x) or front-end options (CMP3201).
    /// </summary>
    public static CachedFeatureSet Build(
        IReadOnlyList<AudioItem> items,
        FrontEndOptions frontEnd,
        string cacheFolder,
        AugmentationOptions? augmentation,
        int seed,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken ct = default,
        IReadOnlyList<string>? backgroundNoise = null,
        IReadOnlyDictionary<string, string>? fileHashes = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(frontEnd);
        ArgumentNullException.ThrowIfNull(cacheFolder);
        frontEnd.EnsureValid();
        var background = backgroundNoise ?? [];
        var copies = augmentation is null ? 1 : Math.Max(1, augmentation.Copies);
        var count = checked(items.Count * copies);
        var key = Key(items, frontEnd, augmentation, seed, background, fileHashes);
        var path = Path.Combine(Path.GetFullPath(cacheFolder), Convert.ToHexStringLower(key) + Extension);
        var diagnostics = new List<Diagnostic>();
        if (File.Exists(path))
        {
            var existing = CachedFeatureSet.TryOpen(path, frontEnd.OutputShape, count, key, reused: true, diagnostics, out var problem);
            if (existing is not null)
            {
                progress?.Report((count, count));
                return existing;
            }

            diagnostics.Add(DataMessages.CacheRebuilt(path, problem!));
        }

        Compute(items, frontEnd, augmentation, copies, seed, background, key, path, progress, ct);
        return CachedFeatureSet.TryOpen(path, frontEnd.OutputShape, count, key, reused: false, diagnostics, out var written)
            ?? throw new InvalidOperationException($"the cache file just written is unreadable: {written}");
    }

    /// <summary>
    /// Convenience: the features of one split of a loaded audio dataset (its background noise included).
    /// <paramref name="fileHashes"/> (absolute path → SHA-256, lower-case hex, as a run's data fingerprint holds them)
    /// spares hashing those files again.
    /// </summary>
    public static CachedFeatureSet Build(
        LoadedDataset dataset,
        DatasetSplit split,
        FrontEndOptions frontEnd,
        string cacheFolder,
        AugmentationOptions? augmentation,
        int seed,
        IProgress<(int Done, int Total)>? progress = null,
        CancellationToken ct = default,
        IReadOnlyDictionary<string, string>? fileHashes = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Features is not null)
        {
            throw new ArgumentException("a NumPy dataset holds features already; use LoadedDataset.Features", nameof(dataset));
        }

        return Build(dataset.Items(split), frontEnd, cacheFolder, split == DatasetSplit.Train ? augmentation : null, seed, progress, ct, dataset.BackgroundNoise, fileHashes);
    }

    /// <summary>
    /// The SHA-256 cache key (see the class summary). Reads every file once, except those whose hash
    /// <paramref name="fileHashes"/> (absolute path → SHA-256, lower-case hex) already holds.
    /// </summary>
    public static byte[] Key(IReadOnlyList<AudioItem> items, FrontEndOptions frontEnd, AugmentationOptions? augmentation, int seed, IReadOnlyList<string> backgroundNoise, IReadOnlyDictionary<string, string>? fileHashes = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(backgroundNoise);
        byte[] HashOf(string path) =>
            fileHashes is not null && fileHashes.TryGetValue(Path.GetFullPath(path), out var known) ? Convert.FromHexString(known) : FileHash(path);
        var itemHashes = new byte[items.Count][];
        Unwrapped(() => Parallel.For(0, items.Count, i => itemHashes[i] = items[i].Path.Length == 0 ? [] : HashOf(items[i].Path)));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }

        Add($"compress-features/{CachedFeatureSet.FormatVersion}");

        // How libtorch computes the front end's convolution (oneDNN or its own kernels) changes features by float32
        // rounding; a cache made one way is not reused the other way, so a run's features do not depend on history.
        // `auto` computes features with oneDNN off (it is on only while fine-tuning), so its features are `off`'s.
        var oneDnn = Runtime.TorchRuntime.Initialize().OneDnn.Choice;
        Add($"onednn/{(oneDnn == Runtime.OneDnnGuardChoice.Auto ? Runtime.OneDnnGuardChoice.Disabled : oneDnn)}");
        Add(FrontEndGraph.Describe(frontEnd));
        Add($"front-end-graph/{FrontEndGraph.GraphVersion}");
        Add(augmentation?.Describe() ?? "no-augmentation");
        Add(seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var noise in backgroundNoise)
        {
            hash.AppendData(HashOf(noise));
        }

        Add("items");
        for (var i = 0; i < items.Count; i++)
        {
            Add($"{items[i].Label}:{items[i].LabelName}");
            hash.AppendData(itemHashes[i]);
        }

        return hash.GetHashAndReset();
    }

    private static byte[] FileHash(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return SHA256.HashData(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CompressException(DataMessages.Unreadable(path, e.Message), e);
        }
    }

    private static void Compute(
        IReadOnlyList<AudioItem> items,
        FrontEndOptions frontEnd,
        AugmentationOptions? augmentation,
        int copies,
        int seed,
        IReadOnlyList<string> background,
        byte[] key,
        string path,
        IProgress<(int Done, int Total)>? progress,
        CancellationToken ct)
    {
        var total = items.Count * copies;
        var labels = new int[total];
        for (var i = 0; i < total; i++)
        {
            labels[i] = items[i % Math.Max(1, items.Count)].Label;
        }

        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var preparer = new ClipPreparer(frontEnd, augmentation, background, seed);
        using var module = frontEnd.Kind == FrontEndKind.None ? null : OnnxGraphModule.Create(FrontEndGraph.Build(frontEnd));
        module?.eval();
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                stream.Write(CachedFeatureSet.Header(frontEnd.OutputShape, labels, key));
                var samples = frontEnd.Samples;
                var itemElements = (int)frontEnd.OutputShape.Aggregate(1L, (a, d) => a * d);
                var pcm = new float[BatchSize * samples];
                var features = new float[BatchSize * itemElements];
                for (var start = 0; start < total; start += BatchSize)
                {
                    ct.ThrowIfCancellationRequested();
                    var n = Math.Min(BatchSize, total - start);
                    Unwrapped(() => Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, b =>
                    {
                        var index = start + b;
                        preparer.Prepare(items[index % items.Count], index % items.Count, index / items.Count, pcm.AsSpan(b * samples, samples));
                    }));

                    var batch = RunFrontEnd(module, pcm, n, samples, features, itemElements);
                    if (augmentation is not null && frontEnd.Kind != FrontEndKind.None)
                    {
                        for (var b = 0; b < n; b++)
                        {
                            var index = start + b;
                            var random = ClipPreparer.RandomFor(seed, index % items.Count, index / items.Count, 2);
                            ClipPreparer.MaskFeatures(augmentation, batch.Slice(b * itemElements, itemElements), frontEnd.Frames, frontEnd.Bins, random);
                        }
                    }

                    stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(batch[..(n * itemElements)]));
                    progress?.Report((start + n, total));
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Runs a parallel loop, turning its AggregateException of CompressExceptions back into one CompressException.</summary>
    private static void Unwrapped(Action loop)
    {
        try
        {
            loop();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is CompressException))
        {
            throw new CompressException([.. e.InnerExceptions.Cast<CompressException>().SelectMany(x => x.Diagnostics)], e);
        }
    }

    /// <summary>Features of the first <paramref name="n"/> clips of <paramref name="pcm"/>, in <paramref name="features"/>.</summary>
    private static Span<float> RunFrontEnd(OnnxGraphModule? module, float[] pcm, int n, int samples, float[] features, int itemElements)
    {
        if (module is null)
        {
            return pcm.AsSpan(0, n * samples);
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var input = tensor(pcm.AsSpan(0, n * samples).ToArray(), [n, samples]);
        using var output = module.Forward(input).contiguous();
        output.data<float>().CopyTo(features.AsSpan(0, n * itemElements));
        return features.AsSpan(0, n * itemElements);
    }
}
