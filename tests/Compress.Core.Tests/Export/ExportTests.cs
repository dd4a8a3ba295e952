using System.Text.Json;
using Compress.Diagnostics;
using Compress.Export;
using Compress.IO;
using Compress.Onnx.Proto;
using Google.Protobuf;

namespace Compress.Core.Tests.Export;

public sealed class ExportTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("compress-export-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static (float[] Batch, long[] Shape) Batch()
    {
        var random = new Random(5);
        return (Enumerable.Range(0, 3 * 64).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), [3, 64]);
    }

    [Fact]
    public void Verify_FaithfulSparseExport_HasNoProblems()
    {
        var trained = SparseStorageTests.SparseMlp();
        var exported = SparseInitializers.Apply(trained, StorageMode.Sparse).ToByteArray();
        var (batch, shape) = Batch();
        Assert.Empty(ExportVerifier.Verify(trained, exported, batch, shape, "out.onnx"));
    }

    [Fact]
    public void Verify_ExportThatChangedAWeight_IsCmp6001NamingTheOutput()
    {
        var trained = SparseStorageTests.SparseMlp();
        var tampered = trained.Clone();
        var w2 = tampered.Graph.Initializer.Single(t => t.Name == "w2");
        w2.RawData = ByteString.CopyFrom(new byte[w2.RawData.Length]); // every weight of the last layer zeroed
        var (batch, shape) = Batch();

        var problems = ExportVerifier.Verify(trained, tampered.ToByteArray(), batch, shape, "out.onnx");

        var problem = Assert.Single(problems);
        Assert.Equal(ExportMessages.ParityMismatchCode, problem.Code);
        Assert.Equal("out.onnx", problem.File);
        Assert.StartsWith($"the exported model does not reproduce the trained model: output '{trained.Graph.Output[0].Name}' ", problem.Message, StringComparison.Ordinal);
        Assert.EndsWith("; nothing was written", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_BytesOrtCannotLoad_IsCmp6003()
    {
        var (batch, shape) = Batch();
        var problem = Assert.Single(ExportVerifier.Verify(SparseStorageTests.SparseMlp(), [1, 2, 3, 4], batch, shape, "out.onnx"));
        Assert.Equal(ExportMessages.ExportNotLoadableCode, problem.Code);
    }

    [Fact]
    public void Metadata_IsWrittenReplacingOnlyItsOwnKeys()
    {
        var model = new ModelProto();
        model.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "someone" });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "compress.sparsity", Value = "old" });
        var metadata = new ModelMetadata(["yes", "no"], 16000, "{\"type\":\"log-mel\"}", 0.8, "aa", "bb", "0.1.0");

        metadata.WriteTo(model);

        Assert.Equal(
            [("author", "someone"), ("compress.sparsity", "0.8"), ("compress.labels", "[\"yes\",\"no\"]"), ("compress.sample_rate", "16000"),
             ("compress.front_end", "{\"type\":\"log-mel\"}"), ("compress.source_sha256", "aa"), ("compress.spec_sha256", "bb"), ("compress.tool_version", "0.1.0")],
            model.MetadataProps.Select(p => (p.Key, p.Value)));
        Assert.Equal(["yes", "no"], JsonSerializer.Deserialize<string[]>(model.MetadataProps.Single(p => p.Key == "compress.labels").Value)!);
    }

    [Fact]
    public void AtomicFile_FailedWrite_LeavesNoFileBehind()
    {
        var target = Path.Combine(_temp, "model.onnx");
        Directory.CreateDirectory(target); // a folder where the file should go: the final rename must fail

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllBytes(target, [1, 2, 3]));

        Assert.Empty(Directory.GetFiles(_temp));
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void AtomicFile_ReplacesExistingContentWhole()
    {
        var target = Path.Combine(_temp, "sub", "model.onnx");
        AtomicFile.WriteAllBytes(target, [1, 2, 3, 4]);
        AtomicFile.WriteAllBytes(target, [9]);
        Assert.Equal([9], File.ReadAllBytes(target));
        Assert.Equal(["model.onnx"], Directory.GetFiles(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }
}
