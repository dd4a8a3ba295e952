using Microsoft.Build.Framework;

namespace Compress.MSBuild;

/// <summary>
/// In-process, cheap: applies the <c>CompressModel</c> defaults and decides for each model whether the tool must
/// run (see <see cref="Stamp"/> for what "up to date" means). Never starts a process.
/// </summary>
public sealed class CompressUpToDate : Microsoft.Build.Utilities.Task
{
    /// <summary>The <c>CompressModel</c> items.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The folder outputs go to (<c>$(CompressOutputPath)</c>).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>Where the local tool manifest search starts (the project folder).</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary><c>$(CompressToolPath)</c>, or empty for discovery.</summary>
    public string? ToolPath { get; set; }

    /// <summary>False in design-time builds: only resolve the metadata, hash nothing, report every model up to date.</summary>
    public bool CheckInputs { get; set; } = true;

    /// <summary>Every usable model, with metadata OutputFile, ManifestFile, StampFile, ReportDirectory, LogicalName, ClassName, OutputName, ExtraArguments and UpToDate (true/false).</summary>
    [Output]
    public ITaskItem[] ResolvedModels { get; private set; } = Array.Empty<ITaskItem>();

    /// <inheritdoc/>
    public override bool Execute()
    {
        var models = ModelItems.Resolve(Models, Path.GetFullPath(OutputDirectory), Log);
        string? identity = null;
        if (CheckInputs && models.Count > 0)
        {
            identity = ToolLocator.Locate(ToolPath, ProjectDirectory, Environment.GetEnvironmentVariable, new List<string>())?.Identity;
        }

        var resolved = new List<ITaskItem>();
        foreach (var model in models)
        {
            var reason = CheckInputs ? Stamp.WhyStale(model, identity) : null;
            if (reason is null)
            {
                Log.LogMessage(MessageImportance.Normal, "Compress: {0} is up to date; dotnet-compress is not run.", model.LogicalName);
            }
            else
            {
                Log.LogMessage(MessageImportance.Normal, "Compress: {0} must be rebuilt: {1}.", model.LogicalName, reason);
            }

            resolved.Add(ModelItems.ToItem(model, reason is null));
        }

        ResolvedModels = resolved.ToArray();
        return !Log.HasLoggedErrors;
    }
}
