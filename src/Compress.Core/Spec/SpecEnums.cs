namespace Compress.Spec;

/// <summary>The metric the gate checks (<c>gate.metric</c>).</summary>
public enum GateMetricKind
{
    /// <summary>Top-1 accuracy on the test split (fraction, higher is better).</summary>
    [SpecName("accuracy")] Accuracy,

    /// <summary>Macro-averaged F1 over the labels (fraction, higher is better).</summary>
    [SpecName("macro_f1")] MacroF1,

    /// <summary>False-reject rate at <c>fa_per_hour</c> false accepts per hour (fraction, lower is better).</summary>
    [SpecName("frr_at_fa_per_hour")] FrrAtFaPerHour,
}

/// <summary>The validation metric early stopping watches (<c>finetune.early_stop.metric</c>).</summary>
public enum EarlyStopMetric
{
    /// <summary>Validation accuracy (higher is better).</summary>
    [SpecName("accuracy")] Accuracy,

    /// <summary>Validation macro-F1 (higher is better).</summary>
    [SpecName("macro_f1")] MacroF1,

    /// <summary>Validation loss (lower is better).</summary>
    [SpecName("loss")] Loss,
}

