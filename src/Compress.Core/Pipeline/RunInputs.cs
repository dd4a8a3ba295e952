using Compress.Diagnostics;

namespace Compress.Pipeline;

/// <summary>
/// The files a run consumes — the spec, the model and every data file behind the dataset (clips, background noise) —
/// with their SHA-256, and their <see cref="InputsKey"/>: what the manifest records after a run and what
/// <c>dotnet compress hash</c> prints before one, so CI can key a cache on it without training.
/// </summary>
/// <param name="Files">Full path → SHA-256 (lower-case hex), sorted by path.</param>
public sealed record RunInputs(IReadOnlyDictionary<string, string> Files, string Key)
{
    /// <summary>The text <see cref="Key"/> hashes (what <c>hash --explain</c> prints).</summary>
    public string Explain(string toolVersion, string spec) => InputsKey.Text(toolVersion, spec, Files);

    /// <summary>
    /// Collects the inputs of <paramref name="request"/> the way <c>run</c> reads them — plan stage (model loaded, output
    /// head detected, which may turn the labels into a sigmoid head's two classes) and the data stage's loading and
    /// fingerprint — and stops before any feature is computed. Errors are the ones <c>run</c> would report there.
    /// </summary>
    public static Result<RunInputs> Collect(PipelineRequest request, string toolVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = new RunContext(new Progress<ProgressUpdate>(), cancellationToken);
        try
        {
            if (!context.Accept(PlanStage.Run(request, context), out var run) || !context.Accept(DataStage.Load(run.Plan), out var data))
            {
                return Result<RunInputs>.Fail(context.Diagnostics);
            }

            using (data.Dataset)
            {
                return Result<RunInputs>.Ok(Of(run, data.Fingerprint, toolVersion), context.Diagnostics);
            }
        }
        catch (CompressException e)
        {
            return Result<RunInputs>.Fail([.. context.Diagnostics, .. e.Diagnostics]);
        }
    }

    /// <summary>The inputs of a planned run whose data has <paramref name="fingerprint"/>.</summary>
    internal static RunInputs Of(PlannedRun run, DataFingerprint fingerprint, string toolVersion)
    {
        var plan = run.Plan;
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [Path.GetFullPath(plan.SpecFile)] = run.SpecFileSha256,
            [Path.GetFullPath(plan.ModelPath)] = run.ModelSha256,
        };
        foreach (var (path, sha) in fingerprint.Files)
        {
            files[path] = sha;
        }

        if (plan.Ctc?.Grammar is { Path: { } grammar, Sha256: { } grammarSha })
        {
            files[Path.GetFullPath(grammar)] = grammarSha;
        }

        return new RunInputs(files, InputsKey.Compute(toolVersion, plan.SpecFile, files));
    }
}
