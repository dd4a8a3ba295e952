using Compress.Data;
using Compress.Diagnostics;
using Compress.Graph;
using Compress.Onnx.Proto;

namespace Compress.Spec.Checks;

/// <summary>
/// What <c>validate</c> found: facts for people (one line each), diagnostics, and the model as <c>OnnxModelIO.Load</c>
/// returned it (null when it could not be loaded), so later checks need not load it again.
/// </summary>
public sealed record ValidationReport(IReadOnlyList<string> Facts, IReadOnlyList<Diagnostic> Diagnostics, ModelProto? Model = null)
{
    /// <summary>True when any diagnostic is an error.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Checks of a parsed spec against the file system and the model, without training: that every named file
/// exists, that the model is readable ONNX whose operators the executor supports and whose inputs/outputs fit
/// the spec, and what the data folder holds. Seconds, not minutes: only headers and folder listings are read.
/// </summary>
public static class SpecChecks
{
    /// <summary>
    /// Every file or folder the spec names that does not exist (CMP1012 at the key that names it). An npy path with
    /// <c>{split}</c> names one file per split; each missing one is reported.
    /// </summary>
    public static IReadOnlyList<Diagnostic> CheckPaths(CompressSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = new List<Diagnostic>();
        void File(string key, string? path)
        {
            if (path is not null && !System.IO.File.Exists(path))
            {
                problems.Add(SpecMessages.PathNotFound(spec.LocationOf(key), key, path));
            }
        }

        File("model.path", spec.Model.Path);
        File("ctc.grammar", spec.Ctc?.Grammar);
        foreach (var (name, value) in spec.Model.Inputs.Where(e => e.Value.Path is not null))
        {
            File($"model.inputs.{name}", value.Path);
        }

        switch (spec.Data.Format)
        {
            case DatasetFormat.SpeechCommands when !Directory.Exists(spec.Data.Root):
                problems.Add(SpecMessages.PathNotFound(spec.LocationOf("data.root"), "data.root", spec.Data.Root!));
                break;
            case DatasetFormat.Manifest:
                File("data.manifest", spec.Data.Manifest);
                if (spec.Locations.ContainsKey("data.root") && spec.Data.Root is { } root && !Directory.Exists(root))
                {
                    problems.Add(SpecMessages.PathNotFound(spec.LocationOf("data.root"), "data.root", root));
                }

                break;
            case DatasetFormat.Npy:
                foreach (var key in new[] { "data.features", "data.labels" })
                {
                    var path = key == "data.features" ? spec.Data.Features : spec.Data.Labels;
                    foreach (var (_, file) in path is null ? [] : NpySource.Expand(path))
                    {
                        File(key, file);
                    }
                }

                break;
        }

        return problems;
    }

    /// <summary>Runs every check; <paramref name="registry"/> defaults to <see cref="OperatorRegistry.Default"/>.</summary>
    public static ValidationReport Validate(CompressSpec spec, OperatorRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var facts = new List<string>();
        var diagnostics = new List<Diagnostic>(CheckPaths(spec));
        var (head, model) = System.IO.File.Exists(spec.Model.Path) ? ModelChecks.Run(spec, registry ?? OperatorRegistry.Default, facts, diagnostics) : (null, null);

        // The data are labelled with the head's classes (a one-label sigmoid head adds _negative_).
        DataChecks.Run(head is null ? spec : spec with { Labels = new ValueList<string>([.. head.ClassesFor(spec.Labels)]) }, facts, diagnostics);
        return new ValidationReport(facts, diagnostics, model);
    }
}
