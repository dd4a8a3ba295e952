using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Onnx;

namespace Compress.Pipeline;

/// <summary>The dense input model as measured: what every attempt is compared with.</summary>
/// <param name="Value">The gate metric's value on <see cref="Measurement"/>.</param>
/// <param name="Model">The dense model as measured (the batched training copy, front end prepended when asked).</param>
/// <param name="Bytes">The serialised <paramref name="Model"/>: what the attempt's latency is compared with.</param>
internal sealed record Baseline(OrtMeasurement Measurement, double Value, Onnx.Proto.ModelProto Model, byte[] Bytes)
{
    /// <summary>Size in bytes of the dense model as it would ship (front end included).</summary>
    public long DenseBytes => Bytes.Length;
}

/// <summary>
/// Stage 3, <b>baseline</b>: ships the dense input model the way the result will ship (front end prepended when
/// asked), checks that the executor reproduces ONNX Runtime on it (<see cref="InputModelCheck"/>, CMP2110), and
/// measures it with ONNX Runtime on the test split (CMP2109 when it cannot run).
/// </summary>
internal static class BaselineStage
{
    public static Result<Baseline> Run(PlannedRun run, PreparedData data, RunContext context)
    {
        var plan = run.Plan;
        context.Report(PipelineStage.Baseline, "checking the executor against ONNX Runtime on the input model");
        var batchProof = BatchEquivalence.Prove(run.Twin, data.Validation.Count > 1 ? data.Validation : data.Train, plan.ModelPath);
        if (batchProof.Count > 0)
        {
            return Result<Baseline>.Fail(batchProof);
        }

        var shipped = plan.Ship(run.Model);
        var bytes = OnnxModelIO.Save(shipped);
        var (batch, shape) = VerificationBatch.Of(data.Test, shipped);
        var mismatch = InputModelCheck.Run(shipped, bytes, batch, shape, plan.ModelPath);
        if (mismatch.Count > 0)
        {
            return Result<Baseline>.Fail(mismatch);
        }

        context.Report(PipelineStage.Baseline, "measuring the dense baseline with ONNX Runtime");
        var measured = OrtEvaluation.Measure(bytes, shipped, data.Test, plan.Labels, plan.Threads, plan.ModelPath, "the dense model", context.Cancellation, run.Head);
        if (measured.Failed)
        {
            return Result<Baseline>.Fail(measured.Diagnostics);
        }

        var value = plan.Gate.Metric.Compute(measured.Value!);
        context.Progress.Report(new ProgressUpdate(PipelineStage.Baseline, $"baseline {plan.Gate.Metric.Name} {value:0.0000}", Metric: value));
        context.StageDone("baseline");
        return Result<Baseline>.Ok(new Baseline(measured.Value!, value, shipped, bytes));
    }
}
