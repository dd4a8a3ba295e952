using System.Text;
using Microsoft.Build.Framework;

namespace Compress.MSBuild;

/// <summary>
/// In-process: writes the C# accessor <c>CompressedModels</c> for the models whose manifests exist. The file is
/// rewritten only when its text changes, so an unchanged build keeps CoreCompile up to date.
/// </summary>
public sealed class CompressGenerateAccessor : Microsoft.Build.Utilities.Task
{
    /// <summary>Resolved models (from <see cref="CompressUpToDate"/>): ManifestFile, ClassName, LogicalName metadata.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The generated file's path.</summary>
    [Required]
    public string OutputFile { get; set; } = "";

    /// <summary>The namespace of <c>CompressedModels</c> (<c>$(RootNamespace)</c>); empty for the global namespace.</summary>
    public string? Namespace { get; set; }

    /// <summary>True when at least one model went into the file.</summary>
    [Output]
    public bool Generated { get; private set; }

    /// <inheritdoc/>
    public override bool Execute()
    {
        var models = new List<(ModelFiles, CompressManifest)>();
        foreach (var item in Models)
        {
            var manifestFile = item.GetMetadata(ModelItems.ManifestFile);
            if (!File.Exists(manifestFile))
            {
                continue;
            }

            try
            {
                var model = new ModelFiles(item.ItemSpec, item.GetMetadata(ModelItems.LogicalName), item.GetMetadata(ModelItems.ClassName), item.GetMetadata(ModelItems.OutputName), "", Path.GetDirectoryName(manifestFile) ?? ".");
                models.Add((model, CompressManifest.Read(manifestFile)));
            }
            catch (Exception e) when (e is FormatException || e is IOException)
            {
                Log.LogError(null, MSBuildMessages.BadOutputCode, null, item.ItemSpec, 0, 0, 0, 0, MSBuildMessages.BadOutput(manifestFile, e.Message));
            }
        }

        if (Log.HasLoggedErrors || models.Count == 0)
        {
            return !Log.HasLoggedErrors;
        }

        var text = AccessorWriter.Write(Namespace, models);
        if (!File.Exists(OutputFile) || File.ReadAllText(OutputFile) != text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputFile)) ?? ".");
            File.WriteAllText(OutputFile, text, new UTF8Encoding(false));
        }

        Generated = true;
        return true;
    }
}
