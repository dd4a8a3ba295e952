namespace Compress.Spec;

/// <summary>What the model does (<c>task</c>): classify each clip, detect one wake word in it, or transcribe it with CTC.</summary>
public enum TaskKind
{
    /// <summary>One class score per clip (keyword spotting, wake word, any classifier). The default.</summary>
    [SpecName("classify")] Classify,

    /// <summary>
    /// One class per clip, judged as a detector of one label (<c>wake_word.label</c>): the report and the app's
    /// accessor carry the false-reject rate and score threshold at <c>wake_word.fa_per_hour</c> false accepts per hour.
    /// </summary>
    [SpecName("wake_word")] WakeWord,

    /// <summary>Per-frame token scores decoded with connectionist temporal classification (a speech recogniser).</summary>
    [SpecName("ctc")] Ctc,
}

/// <summary>Where a CTC output's batch and time axes are (<c>ctc.layout</c>).</summary>
public enum CtcLayout
{
    /// <summary><c>[batch, time, vocab]</c> (batch_first models; the default).</summary>
    [SpecName("batch_time")] BatchTime,

    /// <summary><c>[time, batch, vocab]</c> (torch's CTC convention).</summary>
    [SpecName("time_batch")] TimeBatch,
}

/// <summary>The metric the gate checks (<c>gate.metric</c>).</summary>
public enum GateMetricKind
{
    /// <summary>Top-1 accuracy on the test split (fraction, higher is better).</summary>
    [SpecName("accuracy")] Accuracy,

    /// <summary>Macro-averaged F1 over the labels (fraction, higher is better).</summary>
    [SpecName("macro_f1")] MacroF1,

    /// <summary>False-reject rate at <c>fa_per_hour</c> false accepts per hour (fraction, lower is better).</summary>
    [SpecName("frr_at_fa_per_hour")] FrrAtFaPerHour,

    /// <summary>Word error rate of a CTC recogniser's greedy decoding (lower is better; <c>task: ctc</c>).</summary>
    [SpecName("wer")] Wer,

    /// <summary>Character error rate of a CTC recogniser's greedy decoding (lower is better; <c>task: ctc</c>).</summary>
    [SpecName("cer")] Cer,
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

