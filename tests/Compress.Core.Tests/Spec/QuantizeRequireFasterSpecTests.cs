using Compress.Diagnostics;
using Compress.Export;
using Compress.Pipeline;
using Compress.Spec;

namespace Compress.Core.Tests.Spec;

/// <summary><c>quantize.require_faster</c>: parsed with its location, mapped onto the plan, typed, and only with int8 weights.</summary>
public sealed class QuantizeRequireFasterSpecTests
{
    private const string Minimal = """
        model: models/kws.onnx
        data:
          root: data
        labels: [yes, no]
        """;

    [Theory]
    [InlineData("quantize:\n  weights: int8\n  require_faster: true\n", true)]
    [InlineData("quantize:\n  weights: int8\n  require_faster: false\n", false)]
    [InlineData("quantize:\n  weights: int8\n", false)]
    public void RequireFaster_ParsesWithItsLocation_AndReachesThePlan(string section, bool expected)
    {
        var spec = SpecAssert.Parses(Minimal + "\n" + section, "compress.yaml");

        Assert.Equal(expected, spec.Quantize.RequireFaster);
        Assert.Equal(WeightQuantization.Int8, spec.Quantize.Weights);
        // Written: the key's own line; absent: the quantize: section's line.
        Assert.Equal(new SpecLocation("compress.yaml", section.Contains("require_faster", StringComparison.Ordinal) ? 7 : 5, section.Contains("require_faster", StringComparison.Ordinal) ? 3 : 1), spec.Quantize.RequireFasterLocation);
        var plan = SpecMapping.ToPlan(new PipelineRequest(spec, null, null, null));
        Assert.Equal(expected, plan.RequireFaster);
        Assert.Equal(spec.Quantize.RequireFasterLocation, plan.RequireFasterLocation);
        Assert.Equal(spec.Quantize.Location, plan.QuantizeLocation);
    }

    [Fact]
    public void RequireFaster_DefaultsToFalse()
    {
        var spec = SpecAssert.Parses(Minimal, "compress.yaml");

        Assert.False(spec.Quantize.RequireFaster);
        Assert.False(SpecMapping.ToPlan(new PipelineRequest(spec, null, null, null)).RequireFaster);
    }

    [Fact]
    public void RequireFaster_CanBeSetFromTheCommandLine()
    {
        var result = SpecParser.ParseText(Minimal, "compress.yaml", ["quantize.weights=int8", "quantize.require_faster=true"]);

        Assert.Equal([], result.Diagnostics.Select(d => d.ToString()));
        Assert.True(result.Spec!.Quantize.RequireFaster);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("\"true\"")]
    public void RequireFaster_NotABoolean_IsWrongType(string value)
    {
        var result = SpecParser.ParseText(Minimal + $"\nquantize:\n  weights: int8\n  require_faster: {value}\n", "compress.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(SpecMessages.WrongTypeCode, error.Code);
        Assert.Contains("quantize.require_faster", error.Message, StringComparison.Ordinal);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void RequireFaster_WithoutInt8Weights_IsCmp1008AtTheKey()
    {
        var result = SpecParser.ParseText(Minimal + "\nquantize:\n  require_faster: true\n", "compress.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(SpecMessages.ContradictionCode, error.Code);
        Assert.True(error.IsError);
        Assert.Equal((6, 3), (error.Line, error.Column));
        Assert.Contains("'quantize.require_faster' has no effect without 'quantize.weights: int8'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireFaster_False_WithoutInt8Weights_IsAccepted()
    {
        var result = SpecParser.ParseText(Minimal + "\nquantize:\n  require_faster: false\n", "compress.yaml");

        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Quantize_UnknownKeyNextToRequireFaster_IsStillRejected()
    {
        var result = SpecParser.ParseText(Minimal + "\nquantize:\n  weights: int8\n  require_fastr: true\n", "compress.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(SpecMessages.UnknownKeyCode, error.Code);
        Assert.Contains("require_faster", error.Message, StringComparison.Ordinal);
    }
}

/// <summary><c>quantize.mode</c> and <c>quantize.aware_epochs</c>: parsed, mapped to the fine-tune options, and only with int8 weights.</summary>
public sealed class QuantizeModeSpecTests
{
    private const string Minimal = """
        model: models/kws.onnx
        data:
          root: data
        labels: [yes, no]
        """;

    [Theory]
    [InlineData("quantize:\n  weights: int8\n  mode: aware\n  aware_epochs: 3\n", QuantizationMode.Aware, 3, 3)]
    [InlineData("quantize:\n  weights: int8\n  mode: aware\n", QuantizationMode.Aware, 2, 2)]
    [InlineData("quantize:\n  weights: int8\n  mode: post_training\n", QuantizationMode.PostTraining, 2, 0)]
    [InlineData("quantize:\n  weights: int8\n", QuantizationMode.PostTraining, 2, 0)]
    public void Mode_ParsesAndReachesTheFineTuneOptions(string section, QuantizationMode mode, int awareEpochs, int planned)
    {
        var spec = SpecAssert.Parses(Minimal + "\n" + section, "compress.yaml");

        Assert.Equal(mode, spec.Quantize.Mode);
        Assert.Equal(awareEpochs, spec.Quantize.AwareEpochs);
        Assert.Equal(planned, SpecMapping.ToPlan(new PipelineRequest(spec, null, null, null)).FineTune.QuantizeAwareEpochs);
    }

    [Theory]
    [InlineData("quantize:\n  mode: aware\n", "quantize.mode", 6)]
    [InlineData("quantize:\n  weights: int8\n  aware_epochs: 2\n", "quantize.aware_epochs", 7)]
    public void AwareKeys_WithoutTheirPrerequisite_AreCmp1008AtTheKey(string section, string key, int line)
    {
        var result = SpecParser.ParseText(Minimal + "\n" + section, "compress.yaml");

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CMP1008", d.Code);
        Assert.Contains($"'{key}' has no effect", d.Message, StringComparison.Ordinal);
        Assert.Equal(line, d.Line);
    }

    [Theory]
    [InlineData("mode: qat", "CMP1005")]
    [InlineData("mode: aware\n  aware_epochs: 0", "CMP1006")]
    public void BadValues_AreReported(string entry, string code)
    {
        var result = SpecParser.ParseText(Minimal + $"\nquantize:\n  weights: int8\n  {entry}\n", "compress.yaml");

        Assert.Contains(result.Diagnostics, d => d.Code == code);
    }
}
