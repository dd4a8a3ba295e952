using Microsoft.Build.Utilities;

namespace Compress.MSBuild.Tests;

public sealed class ModelItemsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("compress-items-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("kws", "Kws")]
    [InlineData("kws-small.v2", "KwsSmallV2")]
    [InlineData("wake_word", "WakeWord")]
    [InlineData("3way", "Model3way")]
    [InlineData("---", "Model")]
    public void ToIdentifier_MakesPascalCaseCSharpNames(string name, string expected) =>
        Assert.Equal(expected, ModelItems.ToIdentifier(name));

    [Fact]
    public void Defaults_FollowLogicalNameThenClassNameThenSpecName()
    {
        var (task, engine) = Task(Item("a/kws-small.yaml"), Item("b/compress.yaml", ("ClassName", "Wake")), Item("c/x.yaml", ("LogicalName", "Models.Door.onnx"), ("OutputName", "door.onnx")));

        Assert.True(task.Execute(), string.Join("\n", engine.Errors.Select(e => e.Message)));

        var items = task.ResolvedModels;
        Assert.Equal(new[] { "kws-small.onnx", "Wake.onnx", "Models.Door.onnx" }, items.Select(i => i.GetMetadata("LogicalName")));
        Assert.Equal(new[] { "KwsSmall", "Wake", "ModelsDoor" }, items.Select(i => i.GetMetadata("ClassName")));
        Assert.Equal(new[] { "KwsSmall.onnx", "Wake.onnx", "door.onnx" }, items.Select(i => i.GetMetadata("OutputName")));
        var output = Path.Combine(_root, "obj");
        Assert.Equal(Path.Combine(output, "door.onnx"), items[2].GetMetadata("OutputFile"));
        Assert.Equal(Path.Combine(output, "door.manifest.json"), items[2].GetMetadata("ManifestFile"));
        Assert.Equal(Path.Combine(output, "door.stamp"), items[2].GetMetadata("StampFile"));
        Assert.Equal(Path.Combine(output, "door.report"), items[2].GetMetadata("ReportDirectory"));
        Assert.All(items, i => Assert.Equal("true", i.GetMetadata("UpToDate")));
    }

    [Fact]
    public void Validation_LogsEveryProblem_NotJustTheFirst()
    {
        var (task, engine) = Task(
            new TaskItem(Path.Combine(_root, "missing.yaml")),
            Item("a.yaml", ("ClassName", "9lives")),
            Item("b.yaml", ("OutputName", "sub/x.onnx")),
            Item("c.yaml", ("LogicalName", "Same.onnx")),
            Item("d.yaml", ("LogicalName", "Same.onnx"), ("ClassName", "Other")));

        Assert.False(task.Execute());

        Assert.Equal(
            new[] { MSBuildMessages.SpecNotFoundCode, MSBuildMessages.InvalidMetadataCode, MSBuildMessages.InvalidMetadataCode, MSBuildMessages.DuplicateModelCode },
            engine.Errors.Select(e => e.Code));
        Assert.Contains("ClassName '9lives' is not a C# identifier", engine.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("LogicalName 'Same.onnx'", engine.Errors[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckInputs_WithNoPreviousRun_ReportsStale()
    {
        var (task, _) = Task(Item("kws.yaml"));
        task.CheckInputs = true;
        task.ToolPath = Path.Combine(_root, "kws.yaml");

        Assert.True(task.Execute());

        Assert.Equal("false", Assert.Single(task.ResolvedModels).GetMetadata("UpToDate"));
    }

    private (CompressUpToDate Task, FakeBuildEngine Engine) Task(params TaskItem[] items)
    {
        var engine = new FakeBuildEngine();
        var task = new CompressUpToDate { BuildEngine = engine, Models = items, OutputDirectory = Path.Combine(_root, "obj"), ProjectDirectory = _root, CheckInputs = false };
        return (task, engine);
    }

    private TaskItem Item(string spec, params (string Name, string Value)[] metadata)
    {
        var path = Path.Combine(_root, spec);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "model: {}\n");
        var item = new TaskItem(path);
        foreach (var (name, value) in metadata)
        {
            item.SetMetadata(name, value);
        }

        return item;
    }
}
