using Compress.Pipeline;
using Compress.Pruning;
using Compress.Spec;

namespace Compress.Core.Tests.Spec;

/// <summary><c>pruning.regularization</c>: a <c>channel</c> key that makes <c>lambda</c> and <c>regularization_epochs</c> mean something there.</summary>
public sealed class GroupLassoSpecTests
{
    private const string Minimal = """
        model: models/kws.onnx
        data:
          root: data
        labels: [yes, no]
        pruning:
          target_sparsity: 0.5

        """;

    [Fact]
    public void GroupLasso_WithLambdaAndPhase_ParsesAndReachesTheEngine()
    {
        var spec = SpecAssert.Parses(Minimal.Replace("pruning:\n", "pruning:\n  method: channel\n  regularization: group-lasso\n  lambda: 0.002\n  regularization_epochs: 1\n", StringComparison.Ordinal), "compress.yaml");

        var options = SpecMapping.Pruning(spec.Pruning);
        Assert.Equal(ChannelRegularization.GroupLasso, options.Regularization);
        Assert.Equal(0.002, options.RegularizationLambda);
        Assert.Equal(1, options.RegularizationEpochs);
    }

    [Fact]
    public void Channel_WithoutTheKey_HasNoRegularization()
    {
        var spec = SpecAssert.Parses(Minimal.Replace("pruning:\n", "pruning:\n  method: channel\n", StringComparison.Ordinal), "compress.yaml");

        Assert.Equal(ChannelRegularization.None, SpecMapping.Pruning(spec.Pruning).Regularization);
    }

    [Theory]
    [InlineData("magnitude", "regularization: group-lasso", "'pruning.regularization' has no effect with pruning.method magnitude")]
    [InlineData("l2", "regularization: none", "'pruning.regularization' has no effect with pruning.method l2")]
    [InlineData("channel", "regularization_epochs: 2", "'pruning.regularization_epochs' has no effect with pruning.method channel and regularization none")]
    [InlineData("channel", "lambda: 0.001\n  regularization: none", "'pruning.lambda' has no effect with pruning.method channel and regularization none")]
    public void RegularizationKeys_ThatDoNothing_AreCmp1008(string method, string entries, string message)
    {
        var result = SpecParser.ParseText(Minimal.Replace("pruning:\n", $"pruning:\n  method: {method}\n  {entries}\n", StringComparison.Ordinal), "compress.yaml");

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CMP1008", d.Code);
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Underscore_IsCmp1005_SuggestingTheHyphen()
    {
        var result = SpecParser.ParseText(Minimal.Replace("pruning:\n", "pruning:\n  method: channel\n  regularization: group_lasso\n", StringComparison.Ordinal), "compress.yaml");

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CMP1005", d.Code);
        Assert.Contains("did you mean 'group-lasso'?", d.Message, StringComparison.Ordinal);
    }
}
