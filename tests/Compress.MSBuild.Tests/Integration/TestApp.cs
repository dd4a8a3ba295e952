using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using Compress.Tests.Shared;

namespace Compress.MSBuild.Tests.Integration;

/// <summary>
/// A small console project in its own temporary folder that consumes Compress.MSBuild by PackageReference from
/// the local feed, with the <see cref="FakeTool"/> passed through CompressToolPath. Layout: <c>tool/dotnet-compress</c>, <c>App/App.csproj</c>,
/// <c>App/compress.yaml</c>, <c>App/model.onnx</c>, <c>App/data/{yes,no}/*.wav</c>, <c>nuget.config</c>.
/// </summary>
public sealed class TestApp
{
    private readonly PackageFeed _feed;

    public TestApp(PackageFeed feed, string name, string spec = "model:\n  path: model.onnx\ncompression: gzip\n", bool withTool = true, string itemMetadata = "LogicalName=\"Kws.onnx\" ClassName=\"Kws\" ExtraArguments=\"--seed 7\"")
    {
        _feed = feed;
        Root = Path.Combine(feed.Root, name);
        Directory.CreateDirectory(Path.Combine(Root, "tool"));
        Directory.CreateDirectory(Path.Combine(ProjectDirectory, "data", "yes"));
        Directory.CreateDirectory(Path.Combine(ProjectDirectory, "data", "no"));
        ToolPath = Path.Combine(Root, "tool", "dotnet-compress");
        if (withTool)
        {
            FakeTool.InstallTo(ToolPath);
        }

        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{feed.Packages}" /></config>
              <packageSources>
                <clear />
                <add key="compress-local" value="{feed.Feed}" />
                <add key="machine-packages" value="{MachinePackages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="compress-local"><package pattern="Compress.*" /></packageSource>
                <packageSource key="machine-packages"><package pattern="Microsoft.ML.OnnxRuntime*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(ProjectDirectory, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RootNamespace>TestApp</RootNamespace>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                {(withTool ? $"<CompressToolPath>{ToolPath}</CompressToolPath>" : "")}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Compress.MSBuild" Version="{feed.Version}" />
                <CompressModel Include="compress.yaml" {itemMetadata} />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(ProjectDirectory, "Program.cs"), """
            #if COMPRESS_MODEL
            Console.WriteLine("labels=" + string.Join("|", TestApp.CompressedModels.Kws.Labels));
            Console.WriteLine("bytes=" + TestApp.CompressedModels.Kws.ReadAllBytes().Length);
            Console.WriteLine("sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(TestApp.CompressedModels.Kws.ReadAllBytes())));
            Console.WriteLine("rate=" + TestApp.CompressedModels.Kws.SampleRate + " input=" + TestApp.CompressedModels.Kws.InputName
                + " shape=" + string.Join(",", TestApp.CompressedModels.Kws.InputShape) + " output=" + TestApp.CompressedModels.Kws.OutputName);
            #else
            Console.WriteLine("no model embedded");
            #endif
            """);
        WriteSpec(spec);
        File.WriteAllBytes(Path.Combine(ProjectDirectory, "model.onnx"), Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("fake onnx model bytes ", 200))));
        File.WriteAllText(Path.Combine(ProjectDirectory, "data", "yes", "a.wav"), "yes clip");
        File.WriteAllText(Path.Combine(ProjectDirectory, "data", "no", "b.wav"), "no clip");
    }

    /// <summary>
    /// The machine's NuGet package folder, which restoring this repository filled: ONNX Runtime (150 MB) comes from
    /// there instead of the network.
    /// </summary>
    public static string MachinePackages => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
        ? folder
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Adds a PackageReference to App.csproj.</summary>
    public void AddPackageReference(string id, string version) => EditProject(p => p.Replace(
        "<ItemGroup>\n", $"<ItemGroup>\n    <PackageReference Include=\"{id}\" Version=\"{version}\" />\n", StringComparison.Ordinal));

    /// <summary>Sets (replaces) a property of App.csproj's property group.</summary>
    public void SetProperty(string name, string value) => EditProject(p => System.Text.RegularExpressions.Regex.Replace(
        p, $"<{name}>[^<]*</{name}>", $"<{name}>{value}</{name}>"));

    private void EditProject(Func<string, string> edit)
    {
        var project = Path.Combine(ProjectDirectory, "App.csproj");
        var before = File.ReadAllText(project);
        var after = edit(before);
        if (after == before)
        {
            throw new InvalidOperationException("the edit did not change App.csproj");
        }

        File.WriteAllText(project, after);
    }

    /// <summary>The test's folder (holds tool/, App/, nuget.config).</summary>
    public string Root { get; }

    public string ProjectDirectory => Path.Combine(Root, "App");

    public string ToolPath { get; }

    public string CompressFolder => Path.Combine(ProjectDirectory, "obj", "Debug", "net10.0", "compress");

    public string Assembly => Path.Combine(ProjectDirectory, "bin", "Debug", "net10.0", "App.dll");

    /// <summary>How many times the fake tool ran (lines of its invocation log).</summary>
    public int ToolInvocations => File.Exists(InvocationLog) ? File.ReadAllLines(InvocationLog).Length : 0;

    public string InvocationLog => Path.Combine(Root, "tool", "invocations.log");

    public void WriteSpec(string spec) => File.WriteAllText(Path.Combine(ProjectDirectory, "compress.yaml"), spec);

    /// <summary>Runs <c>dotnet VERB</c> (build, clean...) quietly on the project; returns the exit code and output.</summary>
    public (int ExitCode, string Output) Dotnet(params string[] arguments) => Dotnet(null, arguments);

    /// <summary>Runs <c>dotnet VERB</c> with extra environment variables (e.g. HOME and PATH for discovery tests).</summary>
    public (int ExitCode, string Output) Dotnet(IReadOnlyDictionary<string, string>? extraEnvironment, params string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _feed.Packages,
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return PackagedTool.Run("dotnet", ProjectDirectory, environment, arguments.Concat(new[] { "-nologo", "-nodeReuse:false" }).ToArray());
    }

    /// <summary><c>dotnet build -v:q</c> plus <paramref name="extra"/> arguments.</summary>
    public (int ExitCode, string Output) Build(params string[] extra) => Dotnet(null, new[] { "build", "-v:q" }.Concat(extra).ToArray());

    /// <summary><c>dotnet build -v:q</c> with extra environment variables.</summary>
    public (int ExitCode, string Output) Build(IReadOnlyDictionary<string, string> environment) => Dotnet(environment, "build", "-v:q");

    /// <summary>The built assembly's manifest resources: name → bytes.</summary>
    public Dictionary<string, byte[]> EmbeddedResources()
    {
        using var pe = new PEReader(File.OpenRead(Assembly));
        var metadata = pe.GetMetadataReader();
        var resources = new Dictionary<string, byte[]>();
        var rva = pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var reader = pe.GetSectionData(rva + (int)resource.Offset).GetReader();
            var length = reader.ReadInt32();
            resources[metadata.GetString(resource.Name)] = reader.ReadBytes(length);
        }

        return resources;
    }
}
