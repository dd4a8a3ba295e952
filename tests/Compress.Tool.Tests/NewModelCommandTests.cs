using Compress.Onnx;

namespace Compress.Tool.Tests;

/// <summary><c>new-model ds-cnn|crnn-ctc</c>: writes the seeded model, and refuses options of the other architecture.</summary>
public sealed class NewModelCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("compress-new-model-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void CrnnCtc_WritesTheLogProbabilityModel_WithCeilHalfFrames()
    {
        var path = Path.Combine(_folder, "ctc.onnx");
        var (exit, output, error) = CliHarness.Run(CliHarness.With(), "new-model", "crnn-ctc", "--vocab", "29", "--frames", "149", "--bins", "40", "--channels", "64", "--hidden", "96", "--seed", "1", "-o", path);

        Assert.True(exit == CompressCli.Success, error);
        Assert.Equal($"wrote {path}: crnn-ctc, vocabulary 29, input [N,1,T,40], output [N,ceil(T/2),29] log-probabilities (T = 149 frames gives 75)\n", output);
        var model = OnnxModelIO.Load(path);
        Assert.Equal(["features"], model.Graph.Input.Select(i => i.Name));
        Assert.Equal(["N", "T_out", "29"], model.Graph.Output.Single(o => o.Name == "log_probs").Type.TensorType.Shape.Dim.Select(d => d.DimParam is { Length: > 0 } p ? p : $"{d.DimValue}"));
        Assert.Equal("forward", model.Graph.Node.Single(n => n.OpType == "GRU").Attribute.Single(a => a.Name == "direction").S.ToStringUtf8());
    }

    [Fact]
    public void CrnnCtc_Bidirectional_AndDefaults()
    {
        var path = Path.Combine(_folder, "ctc-bi.onnx");
        var (exit, _, error) = CliHarness.Run(CliHarness.With(), "new-model", "crnn-ctc", "--bidirectional", "-o", path);

        Assert.True(exit == CompressCli.Success, error);
        var model = OnnxModelIO.Load(path);
        Assert.Equal("bidirectional", model.Graph.Node.Single(n => n.OpType == "GRU").Attribute.Single(a => a.Name == "direction").S.ToStringUtf8());
        Assert.Equal([2L, 288, 96], model.Graph.Initializer.Single(t => t.Name == "gru.R").Dims);
    }

    [Fact]
    public void DsCnn_StillWritesTheKeywordSpotter()
    {
        var path = Path.Combine(_folder, "kws.onnx");
        var (exit, output, error) = CliHarness.Run(CliHarness.With(), "new-model", "ds-cnn", "--classes", "12", "--frames", "49", "--bins", "40", "--channels", "64", "--blocks", "4", "--seed", "1", "-o", path);

        Assert.True(exit == CompressCli.Success, error);
        Assert.Equal($"wrote {path}: ds-cnn, 12 classes, input [N,1,49,40]\n", output);
        Assert.Equal("logits", OnnxModelIO.Load(path).Graph.Output.Single().Name);
    }

    [Theory]
    [InlineData("CMP1007", "ds-cnn")]
    [InlineData("CMP1006", "ds-cnn", "--classes", "1")]
    [InlineData("CMP1008", "ds-cnn", "--classes", "12", "--vocab", "29")]
    [InlineData("CMP1008", "ds-cnn", "--classes", "12", "--bidirectional")]
    [InlineData("CMP1008", "crnn-ctc", "--classes", "12")]
    [InlineData("CMP1008", "crnn-ctc", "--blocks", "4")]
    [InlineData("CMP1006", "crnn-ctc", "--vocab", "1")]
    [InlineData("CMP1006", "crnn-ctc", "--hidden", "0")]
    [InlineData("CMP1006", "crnn-ctc", "--frames", "0")]
    public void InvalidOptions_AreCodedErrors_AndWriteNothing(string code, params string[] args)
    {
        var path = Path.Combine(_folder, "x.onnx");
        var (exit, _, error) = CliHarness.Run(CliHarness.With(), ["new-model", .. args, "-o", path]);

        Assert.Equal(CompressCli.Error, exit);
        Assert.Contains(code, error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
