using System.Text;
using Compress.Pipeline;

namespace Compress.MSBuild;

/// <summary>
/// The up-to-date stamp written after a successful run, and the check that compares it with the current state.
/// A model is up to date when its output, manifest and stamp exist; the output's hash matches the manifest;
/// every input the manifest lists still has its recorded hash; and the stamp text computed now — tool identity,
/// extra arguments, and the inputs key over the recorded hashes and, for every folder holding inputs, the set of files
/// there with the same extensions (so an added or removed clip counts as a change) — equals the stamp on disk.
/// Nothing depends on timestamps, so a fresh clone with a restored output folder is up to date too (when the inputs are at the same
/// absolute paths, or the manifest lists them relative to the spec's folder).
/// </summary>
internal static class Stamp
{
    private const string Header = "compress-stamp 2";

    /// <summary>The line prefix of the inputs key (<see cref="InputsKey"/>, what <c>dotnet compress hash</c> prints).</summary>
    public const string InputsPrefix = "inputs ";

    /// <summary>
    /// The stamp text for a manifest, a tool and the item's extra arguments: the tool's identity, the arguments, the
    /// output's hash and the inputs key (<see cref="InputsKey"/>: spec, input hashes and the current folder listings).
    /// </summary>
    /// <param name="spec">Full path of the compress.yaml.</param>
    public static string Compute(CompressManifest manifest, string spec, string extraArguments, string toolIdentity)
    {
        var inputs = manifest.Inputs.Select(i => new KeyValuePair<string, string>(i.Path, i.Sha256));
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("tool ").Append(toolIdentity).Append('\n');
        text.Append("args ").Append(extraArguments).Append('\n');
        text.Append("output ").Append(manifest.Sha256).Append('\n');
        text.Append(InputsPrefix).Append(InputsKey.Compute(manifest.ToolVersion, spec, inputs)).Append('\n');
        return text.ToString();
    }

    /// <summary>Null when the model is up to date, else a short reason it must be rebuilt.</summary>
    public static string? WhyStale(ModelFiles model, string? toolIdentity)
    {
        foreach (var file in new[] { model.OutputFile, model.ManifestFile, model.StampFile })
        {
            if (!File.Exists(file))
            {
                return file + " does not exist";
            }
        }

        if (toolIdentity is null)
        {
            return "dotnet-compress was not found";
        }

        CompressManifest manifest;
        try
        {
            manifest = CompressManifest.Read(model.ManifestFile);
        }
        catch (Exception e) when (e is FormatException || e is IOException)
        {
            return model.ManifestFile + " " + e.Message;
        }

        var hashes = HashCache.Load(model.HashCacheFile);
        try
        {
            return WhyStale(model, toolIdentity, manifest, hashes);
        }
        finally
        {
            hashes.Save();
        }
    }

    private static string? WhyStale(ModelFiles model, string toolIdentity, CompressManifest manifest, HashCache hashes)
    {
        if (hashes.Sha256(model.OutputFile) != manifest.Sha256)
        {
            return model.OutputFile + " does not match its manifest";
        }

        var specDirectory = Path.GetDirectoryName(model.Spec) ?? ".";
        if (!manifest.Inputs.Any(i => PathEquals(InputsKey.Resolve(i.Path, specDirectory), model.Spec)))
        {
            return "the manifest was written for another spec";
        }

        foreach (var input in manifest.Inputs)
        {
            var path = InputsKey.Resolve(input.Path, specDirectory);
            if (!File.Exists(path))
            {
                return path + " was removed";
            }

            if (hashes.Sha256(path) != input.Sha256)
            {
                return path + " changed";
            }
        }

        return File.ReadAllText(model.StampFile) == Compute(manifest, model.Spec, model.ExtraArguments, toolIdentity)
            ? null
            : "the tool, its arguments, or the set of input files changed";
    }

    private static bool PathEquals(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
