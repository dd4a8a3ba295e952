using Compress.Tests.Shared;

namespace Compress.MSBuild.Tests.Integration;

/// <summary>Builds and runs a temporary copy of samples/AppWithModel (shared by the sample and end-to-end tests).</summary>
internal static class SampleCopy
{
    /// <summary>
    /// <c>dotnet build</c> of the copy in <paramref name="app"/> against the repository's Compress.MSBuild targets
    /// (CompressUseLocalTargets) with the dotnet-compress at <paramref name="tool"/>.
    /// </summary>
    public static (int ExitCode, string Output) Build(string app, string tool)
    {
        var msbuild = Path.Combine(PackagedTool.RepositoryRoot, "src", "Compress.MSBuild") + Path.DirectorySeparatorChar;
        return PackagedTool.Run("dotnet", app, new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1" },
            "build", "-nologo", "-v:q", "-nodeReuse:false", "-p:CompressUseLocalTargets=true", $"-p:CompressRepositoryMSBuild={msbuild}", $"-p:CompressToolPath={tool}");
    }

    /// <summary>
    /// Runs the built app (Debug) with <paramref name="arguments"/>; its standard input is <paramref name="stdin"/>
    /// (empty when null), then closed.
    /// </summary>
    public static (int ExitCode, string Output) Run(string app, byte[]? stdin, params string[] arguments) =>
        PackagedTool.RunWithInput("dotnet", app, null, stdin ?? [], [Path.Combine(app, "bin", "Debug", "net10.0", "AppWithModel.dll"), .. arguments]);
}
