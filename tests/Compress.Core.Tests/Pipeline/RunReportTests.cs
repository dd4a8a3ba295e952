using System.Text.Json;
using Compress.Pipeline;
using Compress.Pruning;
using Compress.Reporting;
using Compress.Training;

namespace Compress.Core.Tests.Pipeline;

/// <summary>
/// <see cref="RunReport"/> is where the engines' results become report.json's schema (docs/report.md): each mapped
/// field is checked against the engine value it comes from, and the JSON against the keys the schema documents.
/// </summary>
public sealed class RunReportTests
{
    [Fact]
    public void Schedule_IsOnePointPerEpoch_WithTheExecutorsValidationAccuracyAsTheMetric()
    {
        var point = Assert.Single(RunReport.Schedule([new EpochPoint(3, 0.625, 0.4375, 0.875)]));

        Assert.Equal(new SchedulePoint(3, 0.625, 0.4375, 0.875), point);
        Assert.Equal(
            """{"epoch":3,"sparsity":0.625,"loss":0.4375,"validation_metric":0.875}""",
            JsonSection(new CompressionReport { ToolVersion = "t", Schedule = [point] }, "schedule"));
    }

    [Fact]
    public void Layers_KeepTheZeroCounts_AndNameTheInitializersAFoldedTensorCameFrom()
    {
        PrunableTensor[] prunable =
        [
            new("onnx::GRU_137", "gru", "GRU", [3, 4], PrunableStatus.Eligible, []) { Sources = ["gru.weight_ih_l0"] },
            new("fc.weight", "fc", "Gemm", [2, 2], PrunableStatus.Eligible, []),
        ];

        var layers = RunReport.Layers([new TensorSparsity("onnx::GRU_137", 12, 9), new TensorSparsity("fc.weight", 4, 1), new TensorSparsity("other", 8, 0)], prunable);

        Assert.Equal(["onnx::GRU_137", "fc.weight", "other"], layers.Select(l => l.Name));
        Assert.Equal([12L, 4, 8], layers.Select(l => l.Elements));
        Assert.Equal([9L, 1, 0], layers.Select(l => l.Zeros));
        Assert.Equal([0.75, 0.25, 0], layers.Select(l => l.Sparsity));
        Assert.Equal(["gru.weight_ih_l0"], layers[0].Sources);
        Assert.Empty(layers[1].Sources);
        Assert.Empty(layers[2].Sources);
        Assert.Equal(
            """{"name":"onnx::GRU_137","elements":12,"zeros":9,"sources":["gru.weight_ih_l0"],"sparsity":0.75}""",
            JsonSection(new CompressionReport { ToolVersion = "t", Layers = [layers[0]] }, "layers"));
    }

    [Fact]
    public void Sensitivity_LabelsEachPointWithItsTensor_TheAccuracyIsTheMetric_AndTheLossTheAllocationComparedIsKept()
    {
        var trial = Assert.Single(RunReport.Sensitivity([new SensitivityPoint("fc1.weight", 0.75, 0.8125) { Loss = 0.375 }]));

        Assert.Equal(new TrialRecord(0.75, 0.8125, true, "fc1.weight") { Loss = 0.375 }, trial);
        Assert.Equal(
            """{"sparsity":0.75,"metric":0.8125,"passed":true,"label":"fc1.weight","loss":0.375}""",
            JsonSection(new CompressionReport { ToolVersion = "t", Sensitivity = [trial] }, "sensitivity"));
        // A target_sparsity: max trial has no loss, and the record says nothing of one.
        Assert.Equal(
            """{"sparsity":0.5,"metric":0.9,"passed":true,"label":"target 0.50"}""",
            JsonSection(new CompressionReport { ToolVersion = "t", Trials = [new TrialRecord(0.5, 0.9, true, "target 0.50")] }, "trials"));
    }

    [Fact]
    public void Trials_RecordTheSparsityReachedAndTheVerdict_LabelledWithTheTarget()
    {
        var trials = RunReport.Trials([new SparsityTrial(0.6, 0.59375, 0.90625, true), new SparsityTrial(0.8, 0.796875, 0.5, false)]);

        Assert.Equal([new TrialRecord(0.59375, 0.90625, true, "target 0.60"), new TrialRecord(0.796875, 0.5, false, "target 0.80")], trials);
        Assert.Equal(
            """{"sparsity":0.796875,"metric":0.5,"passed":false,"label":"target 0.80"}""",
            JsonSection(new CompressionReport { ToolVersion = "t", Trials = [trials[1]] }, "trials", index: 0));
    }

    /// <summary>One element of an array of the report's JSON, re-serialised without indentation.</summary>
    private static string JsonSection(CompressionReport report, string property, int index = 0)
    {
        using var document = JsonDocument.Parse(ReportWriter.ToJson(report));
        return JsonSerializer.Serialize(document.RootElement.GetProperty(property)[index]);
    }
}
