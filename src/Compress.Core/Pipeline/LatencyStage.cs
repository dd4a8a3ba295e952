using System.Globalization;
using Compress.Data;
using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Onnx.Proto;

namespace Compress.Pipeline;

/// <summary>
/// The paired latencies of a run (<see cref="LatencyComparison"/>, one ONNX Runtime thread): dense against compressed
/// one clip per call (<see cref="Single"/>, the headline: how an app calls a keyword spotter) and
/// <see cref="LatencyStage.BatchClips"/> clips per call (<see cref="Batched"/>), and with int8 weights the float export
/// against the int8 file one clip per call (<see cref="Quantization"/>; null without int8 tensors). Null when the test
/// split is empty.
/// </summary>
internal sealed record LatencyFindings(PairedLatency? Single, PairedLatency? Batched, PairedLatency? Quantization);

/// <summary>
/// Stage 4b, <b>latency</b>: once the attempt to ship is chosen, times the dense baseline against it, and the float
/// export against the int8 file, in one process with the calls interleaved, on real test clips each model is fed in
/// its own shape. An int8 file that is not faster than the float export (median ratio ≥ 1) warns (CMP6007), or with
/// <c>quantize.require_faster</c> fails the run (CMP6006) before anything is written.
/// </summary>
/// <param name="compare">Times two feeds for a number of rounds (default <see cref="LatencyComparison.Compare"/> with one thread); tests inject fixed results.</param>
internal sealed class LatencyStage(Func<LatencyFeed, LatencyFeed, int, PairedLatency>? compare = null)
{
    /// <summary>The first test clips the one-clip calls cycle through (round r feeds clip r mod this).</summary>
    public const int Clips = 8;

    /// <summary>Clips per call of the batched comparison: the first test clips.</summary>
    public const int BatchClips = 16;

    /// <summary>Rounds of the batched comparison (each call costs <see cref="BatchClips"/> one-clip calls).</summary>
    public const int BatchedRounds = 10;

    private readonly Func<LatencyFeed, LatencyFeed, int, PairedLatency> _compare = compare ?? ((a, b, rounds) => LatencyComparison.Compare(a, b, rounds, LatencyComparison.DefaultThreads));

    public Result<LatencyFindings> Run(PlannedRun run, PreparedData data, Baseline baseline, AttemptSearch search, RunContext context)
    {
        var plan = run.Plan;
        var chosen = search.Chosen;
        var test = data.Test;
        if (test.Count == 0)
        {
            return Result<LatencyFindings>.Ok(new LatencyFindings(null, null, null));
        }

        context.Cancellation.ThrowIfCancellationRequested();
        context.Report(PipelineStage.Evaluate, "timing the dense and the compressed model with ONNX Runtime (paired, 1 thread)");
        var output = run.Head.Output;
        LatencyFindings findings;
        try
        {
            var single = _compare(Feed(baseline.Bytes, baseline.Model, test, 1, output), Feed(chosen.MeasuredBytes, chosen.MeasuredModel, test, 1, output), LatencyComparison.DefaultRounds);
            var batch = Math.Min(BatchClips, test.Count);
            var batched = _compare(Feed(baseline.Bytes, baseline.Model, test, batch, output), Feed(chosen.MeasuredBytes, chosen.MeasuredModel, test, batch, output), BatchedRounds);
            var quantization = chosen.FloatBytes is { } floatBytes
                ? _compare(Feed(floatBytes, chosen.MeasuredModel, test, 1, output), Feed(chosen.MeasuredBytes, chosen.MeasuredModel, test, 1, output), LatencyComparison.DefaultRounds)
                : null;
            findings = new LatencyFindings(single, batched, quantization);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            return Result<LatencyFindings>.Fail([ModelMessages.DataRunFailed(plan.OutputPath, "the latency comparison", e.Message.Split('\n')[0].Trim())]);
        }

        context.StageDone("latency");
        if (findings.Quantization is not { CandidateNotFaster: true } q)
        {
            return Result<LatencyFindings>.Ok(findings);
        }

        var how = string.Create(CultureInfo.InvariantCulture, $"batch 1, {q.Threads} thread{(q.Threads == 1 ? "" : "s")}, {q.Rounds.Count} paired rounds, quartiles of the per-round ratios {q.RatioP25:0.000}–{q.RatioP75:0.000}");
        return plan.RequireFaster
            ? Result<LatencyFindings>.Fail([ExportMessages.Int8NotFaster(plan.RequireFasterLocation, q.Ratio, q.CandidateMsPerClip, q.ReferenceMsPerClip, how)])
            : Result<LatencyFindings>.Ok(findings, [ExportMessages.Int8Slower(plan.QuantizeLocation, q.Ratio, q.CandidateMsPerClip, q.ReferenceMsPerClip, how)]);
    }

    /// <summary>
    /// <paramref name="bytes"/> fed the first test clips in <paramref name="model"/>'s own shape
    /// (<see cref="OrtEvaluation.FeedShape"/>): <paramref name="batch"/> = 1 gives one input per clip (the first
    /// <see cref="Clips"/>), a larger batch one input of the first <paramref name="batch"/> clips.
    /// </summary>
    internal static LatencyFeed Feed(byte[] bytes, ModelProto model, IFeatureSet set, int batch, string? output)
    {
        var itemShape = OrtEvaluation.FeedShape(model, set.ItemShape);
        var itemSize = (int)set.ItemShape.Aggregate(1L, (a, d) => a * d);
        var shape = new long[itemShape.Count + 1];
        shape[0] = batch;
        for (var d = 0; d < itemShape.Count; d++)
        {
            shape[d + 1] = itemShape[d];
        }

        var inputs = batch == 1 ? Math.Min(Clips, set.Count) : 1;
        var batches = new List<float[]>(inputs);
        for (var i = 0; i < inputs; i++)
        {
            var data = new float[batch * itemSize];
            for (var k = 0; k < batch; k++)
            {
                set.ReadFeatures((i * batch) + k, data.AsSpan(k * itemSize, itemSize));
            }

            batches.Add(data);
        }

        return new LatencyFeed(bytes, batches, shape, output);
    }
}
