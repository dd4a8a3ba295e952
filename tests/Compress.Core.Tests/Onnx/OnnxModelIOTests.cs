using Compress.Core.Tests.Graph;
using Compress.Diagnostics;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Google.Protobuf;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Core.Tests.Onnx;

public sealed class OnnxModelIOTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-onnxio-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly CaseTensor Input = CaseTensor.Random("x", 3, -1, 1, 2, 4);

    /// <summary>x [N, 4] → Gemm(w [3, 4], c [3], transB) → Relu.</summary>
    internal static ModelProto SmallModel(long opset = 17, TensorProto? weight = null)
    {
        var b = new ModelBuilder(opset);
        var x = b.Input("x", DataType.Float, "N", 4L);
        var w = b.Initializer(weight ?? ModelBuilder.Tensor("w", (float[])CaseTensor.Random("w", 1, -1, 1, 12).Data, 3, 4));
        var c = b.Initializer("c", [0.5f, -0.5f, 0.25f], 3);
        b.Output(b.Node("Relu", [b.Node("Gemm", [x, w, c], ("transB", 1L))]));
        return b.Build();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void LoadSaveLoad_GivesAnEqualModel_AndIdenticalOrtOutputs()
    {
        var (model, input) = SpeechModels.Get("tcn-residual");
        var path = Path.Combine(_folder, "tcn.onnx");
        OnnxModelIO.Save(model, path);
        var first = OnnxModelIO.Load(path);
        OnnxModelIO.Save(first, path);
        var second = OnnxModelIO.Load(path);

        Assert.Equal(model, first);
        Assert.Equal(first, second);
        var expected = OrtRunner.Run(model, [input]);
        var actual = OrtRunner.Run(File.ReadAllBytes(path), [input]);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, tensor) in expected)
        {
            Assert.Equal((float[])tensor.Data, (float[])actual[name].Data);
        }
    }

    [Fact]
    public void Save_IsDeterministic_AndStreamAndSpanLoadsAgree()
    {
        var model = SmallModel();
        var bytes = OnnxModelIO.Save(model);
        Assert.Equal(bytes, OnnxModelIO.Save(model.Clone()));
        Assert.Equal(bytes, OnnxModelIO.Save(OnnxModelIO.Load(bytes)));
        using var stream = new MemoryStream(bytes);
        Assert.Equal(model, OnnxModelIO.Load(stream, "memory.onnx"));
    }

    [Fact]
    public void UnknownFields_SurviveARoundTrip()
    {
        // Field 1000, wire type 2 (length-delimited), 3 bytes: "abc" — unknown to onnx.proto.
        var unknown = new byte[] { 0xC2, 0x3E, 3, (byte)'a', (byte)'b', (byte)'c' };
        var bytes = OnnxModelIO.Save(SmallModel()).Concat(unknown).ToArray();
        var model = OnnxModelIO.Load(Write("unknown.onnx", bytes));
        var saved = OnnxModelIO.Save(model);
        Assert.Equal(bytes, saved);
        Assert.Equal(unknown, saved[^unknown.Length..]);
    }

    [Fact]
    public void TypedFieldInitializer_LoadsAndRunsLikeRawData()
    {
        var values = (float[])CaseTensor.Random("w", 1, -1, 1, 12).Data;
        var typed = new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { 3, 4 }, FloatData = { values } };
        var model = OnnxModelIO.Load(OnnxModelIO.Save(SmallModel(weight: typed)));
        Assert.False(model.Graph.Initializer[0].HasRawData);
        ParityAssert.Equal(OrtRunner.Run(SmallModel(), [Input]), ExecutorRunner.Run(model, [Input]), Compress.Evaluation.Tolerance.Parity);
    }

    [Fact]
    public void ExternalData_IsReadInline_RelativeToTheModelFolder()
    {
        var values = (float[])CaseTensor.Random("w", 1, -1, 1, 12).Data;
        var data = new byte[16].Concat(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()).Concat(new byte[8]).ToArray();
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        File.WriteAllBytes(Path.Combine(_folder, "data", "weights.bin"), data);
        var model = OnnxModelIO.Load(Write("external.onnx", OnnxModelIO.Save(SmallModel(weight: External("data/weights.bin", 16, 48)))));

        var w = model.Graph.Initializer[0];
        Assert.Equal(TensorProto.Types.DataLocation.Default, w.DataLocation);
        Assert.Empty(w.ExternalData);
        Assert.Equal(OnnxModelIO.Save(SmallModel()), OnnxModelIO.Save(model));
        Assert.Equal((float[])OrtRunner.Run(SmallModel(), [Input]).Values.Single().Data, (float[])OrtRunner.Run(model, [Input]).Values.Single().Data);
    }

    [Fact]
    public void LoadBytesWithPath_ReadsExternalDataRelativeToThePathsFolder_LikeLoadingTheFile()
    {
        var values = (float[])CaseTensor.Random("w", 1, -1, 1, 12).Data;
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        File.WriteAllBytes(Path.Combine(_folder, "data", "weights.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        var path = Write("external.onnx", OnnxModelIO.Save(SmallModel(weight: External("data/weights.bin", 0, 48))));

        var bytes = OnnxModelIO.ReadFile(path);
        var model = OnnxModelIO.Load(bytes, path);

        Assert.Equal(File.ReadAllBytes(path), bytes);
        Assert.Empty(model.Graph.Initializer[0].ExternalData);
        Assert.Equal(OnnxModelIO.Save(OnnxModelIO.Load(path)), OnnxModelIO.Save(model));
    }

    [Fact]
    public void ReadFile_MissingFile_IsCMP2001()
    {
        var e = Assert.Throws<CompressException>(() => OnnxModelIO.ReadFile(Path.Combine(_folder, "absent.onnx")));

        Assert.Equal(ModelMessages.ModelNotFoundCode, Assert.Single(e.Diagnostics).Code);
    }

    private static TensorProto External(string location, long? offset, long? length)
    {
        var t = new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { 3, 4 }, DataLocation = TensorProto.Types.DataLocation.External };
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        if (offset is { } o)
        {
            t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = o.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        if (length is { } l)
        {
            t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = l.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        return t;
    }

    private static Diagnostic LoadFails(string path, string code)
    {
        var e = Assert.Throws<CompressException>(() => OnnxModelIO.Load(path));
        var diagnostic = Assert.Single(e.Diagnostics);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(path, diagnostic.File);
        Assert.Contains(path, diagnostic.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + ": error " + code, e.Message, StringComparison.Ordinal);
        return diagnostic;
    }

    [Fact]
    public void MissingFile_IsCMP2001()
    {
        var d = LoadFails(Path.Combine(_folder, "absent.onnx"), ModelMessages.ModelNotFoundCode);
        Assert.Contains("does not exist", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_IsCMP2001() => LoadFails(_folder, ModelMessages.ModelNotFoundCode);

    [Fact]
    public void TruncatedBytes_AreCMP2002()
    {
        var bytes = OnnxModelIO.Save(SmallModel());
        var d = LoadFails(Write("truncated.onnx", bytes[..(bytes.Length / 2)]), ModelMessages.NotOnnxCode);
        Assert.Contains("truncated", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text", "not an onnx model\n")]
    [InlineData("empty", "")]
    [InlineData("wav", "RIFF\u0024\u0000\u0000\u0000WAVEfmt ")]
    public void NonOnnxBytes_AreCMP2002(string name, string content) =>
        LoadFails(Write(name + ".onnx", System.Text.Encoding.Latin1.GetBytes(content)), ModelMessages.NotOnnxCode);

    [Fact]
    public void ModelWithoutGraph_IsCMP2002()
    {
        var d = LoadFails(Write("nograph.onnx", new ModelProto { IrVersion = 8, OpsetImport = { new OperatorSetIdProto { Version = 17 } } }.ToByteArray()), ModelMessages.NotOnnxCode);
        Assert.Contains("no graph", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(12)]
    public void IrVersionOutOfRange_IsCMP2003(long irVersion)
    {
        var model = SmallModel();
        model.IrVersion = irVersion;
        var d = LoadFails(Write("ir.onnx", model.ToByteArray()), ModelMessages.IrVersionOutOfRangeCode);
        Assert.Contains($"IR version {irVersion}; supported IR versions are 3-11", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(22)]
    public void OpsetOutOfRange_IsCMP2004_AndSaysTheRange(long opset)
    {
        var d = LoadFails(Write("opset.onnx", SmallModel(opset).ToByteArray()), ModelMessages.OpsetOutOfRangeCode);
        Assert.Contains($"opset {opset}; supported opsets are 11-21", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDefaultOpset_IsCMP2004()
    {
        var model = SmallModel();
        model.OpsetImport.Clear();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.example", Version = 1 });
        LoadFails(Write("noopset.onnx", model.ToByteArray()), ModelMessages.OpsetOutOfRangeCode);
    }

    [Fact]
    public void RawDataShorterThanShape_IsCMP2005()
    {
        var w = ModelBuilder.Tensor("w", new float[11], 11);
        w.Dims.Clear();
        w.Dims.AddRange([3, 4]);
        var d = LoadFails(Write("short.onnx", SmallModel(weight: w).ToByteArray()), ModelMessages.InitializerSizeMismatchCode);
        Assert.Equal("w", d.Node);
        Assert.Contains("holds 44 bytes of raw_data but shape [3,4] of Float needs 12 × 4 = 48", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypedDataLongerThanShape_IsCMP2005()
    {
        var w = new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { 3, 4 }, FloatData = { new float[13] } };
        var d = LoadFails(Write("long.onnx", SmallModel(weight: w).ToByteArray()), ModelMessages.InitializerSizeMismatchCode);
        Assert.Contains("holds 13 values in float_data but shape [3,4] of Float needs 12", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryMisfittingInitializer_IsReportedAtOnce()
    {
        var model = SmallModel(weight: new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { 3, 4 }, FloatData = { new float[5] } });
        model.Graph.Initializer[1].Dims.Add(2);
        var e = Assert.Throws<CompressException>(() => OnnxModelIO.Load(Write("two.onnx", model.ToByteArray())));
        Assert.Equal(["w", "c"], e.Diagnostics.Select(d => d.Node));
        Assert.All(e.Diagnostics, d => Assert.Equal(ModelMessages.InitializerSizeMismatchCode, d.Code));
    }

    [Fact]
    public void ExternalDataFileMissing_IsCMP2006()
    {
        var d = LoadFails(Write("ext-missing.onnx", SmallModel(weight: External("nowhere.bin", null, null)).ToByteArray()), ModelMessages.ExternalDataCode);
        Assert.Contains("nowhere.bin' does not exist", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalDataFileTooShort_IsCMP2006()
    {
        File.WriteAllBytes(Path.Combine(_folder, "short.bin"), new byte[40]);
        var d = LoadFails(Write("ext-short.onnx", SmallModel(weight: External("short.bin", 8, 48)).ToByteArray()), ModelMessages.ExternalDataCode);
        Assert.Contains("holds 40 bytes, too short for offset 8 and length 48", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalDataWithoutLength_ThatDoesNotFitTheShape_IsCMP2005()
    {
        File.WriteAllBytes(Path.Combine(_folder, "rest.bin"), new byte[40]);
        LoadFails(Write("ext-rest.onnx", SmallModel(weight: External("rest.bin", null, null)).ToByteArray()), ModelMessages.InitializerSizeMismatchCode);
    }

    [Fact]
    public void ExternalDataOutsideTheModelFolder_IsCMP2006()
    {
        var d = LoadFails(Write("ext-escape.onnx", SmallModel(weight: External("../weights.bin", null, null)).ToByteArray()), ModelMessages.ExternalDataCode);
        Assert.Contains("leaves the model's folder", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalDataThroughASymbolicLinkLeavingTheFolder_IsCMP2006()
    {
        // weights.bin → a file outside the model's folder; data/ → a folder outside it.
        var outside = Directory.CreateTempSubdirectory("compress-outside-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(outside, "secret.bin"), new byte[48]);
            var models = Directory.CreateDirectory(Path.Combine(_folder, "models")).FullName;
            File.CreateSymbolicLink(Path.Combine(models, "weights.bin"), Path.Combine(outside, "secret.bin"));
            Directory.CreateSymbolicLink(Path.Combine(models, "data"), outside);
            File.WriteAllBytes(Path.Combine(models, "real.bin"), new byte[48]);
            File.CreateSymbolicLink(Path.Combine(models, "inside.bin"), "real.bin");

            var file = LoadFails(Write("models/file-link.onnx", SmallModel(weight: External("weights.bin", null, null)).ToByteArray()), ModelMessages.ExternalDataCode);
            var folder = LoadFails(Write("models/dir-link.onnx", SmallModel(weight: External("data/secret.bin", null, null)).ToByteArray()), ModelMessages.ExternalDataCode);
            var inside = OnnxModelIO.Load(Write("models/inside-link.onnx", SmallModel(weight: External("inside.bin", null, null)).ToByteArray()));

            Assert.Contains($"leaves the model's folder through the symbolic link '{Path.Combine(models, "weights.bin")}'", file.Message, StringComparison.Ordinal);
            Assert.Contains($"through the symbolic link '{Path.Combine(models, "data")}'", folder.Message, StringComparison.Ordinal);
            Assert.Equal(48, inside.Graph.Initializer[0].RawData.Length);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void ExternalDataFromBytesWithoutAFolder_IsCMP2006()
    {
        var bytes = SmallModel(weight: External("weights.bin", null, null)).ToByteArray();
        var e = Assert.Throws<CompressException>(() => OnnxModelIO.Load(bytes));
        Assert.Equal(ModelMessages.ExternalDataCode, Assert.Single(e.Diagnostics).Code);
    }

    [Fact]
    public void ExternalDataLocationWithANulCharacter_IsCMP2006_NotArgumentException()
    {
        // Fuzz onnx case seed 1907236253: Path.GetFullPath threw ArgumentException("Null character in path").
        var d = LoadFails(Write("ext-nul.onnx", SmallModel(weight: External("w\0.bin", null, null)).ToByteArray()), ModelMessages.ExternalDataCode);
        Assert.Contains("no path may contain", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalDataWithARepeatedKey_IsCMP2006_NotArgumentException()
    {
        var weight = External("weights.bin", 0, 48);
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "other.bin" });

        var d = LoadFails(Write("ext-twice.onnx", SmallModel(weight: weight).ToByteArray()), ModelMessages.ExternalDataCode);

        Assert.Contains("'location' appears 2 times", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_ToPath_LeavesNoTemporaryFiles()
    {
        var path = Path.Combine(_folder, "out", "model.onnx");
        OnnxModelIO.Save(SmallModel(), path);
        Assert.Equal(OnnxModelIO.Save(SmallModel()), File.ReadAllBytes(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }
}
