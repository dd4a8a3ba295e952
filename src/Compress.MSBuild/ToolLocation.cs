namespace Compress.MSBuild;

/// <summary>How dotnet-compress was found, which decides how it is started.</summary>
public enum ToolSource
{
    /// <summary><c>$(CompressToolPath)</c>.</summary>
    Explicit,

    /// <summary>A local tool manifest (<c>.config/dotnet-tools.json</c>), run through <c>dotnet tool run</c>.</summary>
    LocalManifest,

    /// <summary>A <c>dotnet-compress</c> on PATH or in <c>~/.dotnet/tools</c>.</summary>
    Global,
}

/// <summary>A resolved dotnet-compress: what to start, with which leading arguments, and what identifies its version.</summary>
public sealed class ToolLocation
{
    internal ToolLocation(ToolSource source, string executable, string argumentPrefix, string identity, string? workingDirectory)
    {
        Source = source;
        Executable = executable;
        ArgumentPrefix = argumentPrefix;
        Identity = identity;
        WorkingDirectory = workingDirectory;
    }

    /// <summary>Where the tool came from.</summary>
    public ToolSource Source { get; }

    /// <summary>The program to start: the tool itself, or the dotnet host for a local tool.</summary>
    public string Executable { get; }

    /// <summary>Arguments before <c>run</c>: empty, or <c>tool run dotnet-compress</c> for a local tool.</summary>
    public string ArgumentPrefix { get; }

    /// <summary>
    /// A string that changes whenever a different tool or tool version would run (path, content hash of the
    /// executable, installed package versions, or the manifest's pinned version). Part of the up-to-date stamp.
    /// </summary>
    public string Identity { get; }

    /// <summary>The folder to start a local tool in (the manifest's tree), or null for any folder.</summary>
    public string? WorkingDirectory { get; }
}
