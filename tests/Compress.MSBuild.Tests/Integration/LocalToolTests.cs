using Compress.Tests.Shared;

namespace Compress.MSBuild.Tests.Integration;

/// <summary>
/// Discovery through a local tool manifest: a real .NET tool package whose command is dotnet-compress (it hands
/// its arguments to the fake tool script) is installed into the test's dotnet-tools.json, and the build runs it
/// with <c>dotnet tool run dotnet-compress run ...</c> without CompressToolPath.
/// </summary>
[Collection(PackageFeedCollection.Name)]
public sealed class LocalToolTests(PackageFeed feed)
{
    [Fact]
    public void LocalToolManifest_IsFound_AndTheToolRunsThroughDotnetToolRun()
    {
        var app = new TestApp(feed, nameof(LocalToolManifest_IsFound_AndTheToolRunsThroughDotnetToolRun), withTool: false);
        FakeTool.InstallTo(app.ToolPath);
        PackWrapperTool(Path.Combine(app.Root, "wrapper"));
        // dotnet keeps a tool resolver cache under DOTNET_CLI_HOME keyed by package and version: a private one per test.
        var cliHome = Path.Combine(app.Root, "cli-home");
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = feed.Packages, ["DOTNET_CLI_HOME"] = cliHome, ["FAKE_COMPRESS_SCRIPT"] = app.ToolPath };
        Check(PackagedTool.Run("dotnet", app.Root, env, "new", "tool-manifest"));
        Check(PackagedTool.Run("dotnet", app.Root, env, "tool", "install", "Compress.FakeTool", "--version", "1.0.0"));

        var (exit, output) = app.Build(env);

        Assert.True(exit == 0, output);
        Assert.Equal(1, app.ToolInvocations);
        Assert.Contains("Kws.onnx", app.EmbeddedResources().Keys);
        Assert.Equal(0, app.Build(env).ExitCode);
        Assert.Equal(1, app.ToolInvocations);
    }

    private void PackWrapperTool(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "Compress.FakeTool.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <PackAsTool>true</PackAsTool>
                <ToolCommandName>dotnet-compress</ToolCommandName>
                <PackageId>Compress.FakeTool</PackageId>
                <Version>1.0.0</Version>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), """
            var info = new System.Diagnostics.ProcessStartInfo("bash") { UseShellExecute = false };
            info.ArgumentList.Add(System.Environment.GetEnvironmentVariable("FAKE_COMPRESS_SCRIPT")!);
            foreach (var argument in args) info.ArgumentList.Add(argument);
            using var process = System.Diagnostics.Process.Start(info)!;
            process.WaitForExit();
            return process.ExitCode;
            """);
        Check(PackagedTool.Run("dotnet", folder, new Dictionary<string, string> { ["NUGET_PACKAGES"] = feed.Packages }, "pack", "-o", feed.Feed, "-nologo", "-v:q", "-nodeReuse:false"));
    }

    private static void Check((int ExitCode, string Output) result) => Assert.True(result.ExitCode == 0, result.Output);
}
