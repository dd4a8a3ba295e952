using Compress.Evaluation;

namespace Compress.Core.Tests.Graph;

public sealed class SpeechModelTests
{
    [Theory]
    [MemberData(nameof(SpeechModels.Names), MemberType = typeof(SpeechModels))]
    public void SpeechModel_RunsInOnnxRuntime(string name)
    {
        var (model, input) = SpeechModels.Get(name);
        var outputs = OrtRunner.Run(model, [input]);
        var logits = Assert.Single(outputs.Values);
        Assert.Equal(input.Shape[0], logits.Shape[0]);
        Assert.All((float[])logits.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [MemberData(nameof(SpeechModels.Names), MemberType = typeof(SpeechModels))]
    public void SpeechModel_ExecutorMatchesOnnxRuntime_InEvalMode(string name)
    {
        var (model, input) = SpeechModels.Get(name);
        ParityAssert.Equal(OrtRunner.Run(model, [input]), ExecutorRunner.Run(model, [input]), Tolerance.Parity);
    }
}
