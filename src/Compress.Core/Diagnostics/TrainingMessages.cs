using System.Globalization;

namespace Compress.Diagnostics;

/// <summary>Codes and texts of the CMP4xxx diagnostics: training and pruning.</summary>
public static class TrainingMessages
{
    /// <summary>The training loss became NaN or infinite.</summary>
    public const string NonFiniteLossCode = "CMP4001";

    /// <summary>Pruning was asked for but the model has no eligible prunable weights.</summary>
    public const string NoPrunableWeightsCode = "CMP4002";

    /// <summary>The target sparsity is above what the protections and max_layer_sparsity allow.</summary>
    public const string TargetUnreachableCode = "CMP4003";

    /// <summary>A pruning or fine-tuning option is out of range.</summary>
    public const string InvalidOptionCode = "CMP4004";

    /// <summary>The training or validation data does not fit the model (shape, labels, empty).</summary>
    public const string DataMismatchCode = "CMP4005";

    /// <summary>Channel pruning cannot follow a channel through a node, so the tensors that reach it are left unpruned.</summary>
    public const string ChannelsNotPrunableCode = "CMP4006";

    /// <summary>What to do when the loss is not finite.</summary>
    public const string NonFiniteLossAdvice = "Lower fine_tune.learning_rate, set fine_tune.gradient_clip, or check the features for NaN/Inf.";

    internal static Diagnostic NonFiniteLoss(int epoch, int step, double? lastFinite) => Diagnostic.Error(
        NonFiniteLossCode,
        F($"the training loss is not finite at epoch {epoch}, step {step} (last finite loss: {(lastFinite is double l ? l.ToString("0.######", CultureInfo.InvariantCulture) : "none")}). {NonFiniteLossAdvice}"));

    internal static Diagnostic NoPrunableWeights(string method, int prunable, int protectedCount, int excluded) => Diagnostic.Error(
        NoPrunableWeightsCode,
        F($"pruning method '{method}' has no weights to prune: the model has {prunable} prunable weight tensors (Conv, ConvTranspose, Gemm, MatMul with an initializer, LSTM, GRU), {protectedCount} protected as first/last layer and {excluded} left out by include/exclude"));

    /// <summary>The unstructured methods, as the spec spells them (a test compares this copy with <c>PruningMethod</c>).</summary>
    public const string UnstructuredMethods = "magnitude, gradient, l1, l2 or n:m";

    /// <summary>CMP4002 for <c>channel</c>: why every group is kept (each distinct reason once, at most <paramref name="shown"/>), and what to use instead.</summary>
    internal static Diagnostic NoPrunableChannels(IReadOnlyList<string> reasons, int shown = 5)
    {
        var listed = string.Join("; ", reasons.Take(shown)) + (reasons.Count > shown ? F($"; and {reasons.Count - shown} more") : "");
        return Diagnostic.Error(
            NoPrunableWeightsCode,
            $"pruning method 'channel' has no channels to remove, because every channel group must keep all its channels: {listed}. Use an unstructured method ({UnstructuredMethods}) for this model; it zeroes single weights and changes no shape.");
    }

    internal static Diagnostic TargetUnreachable(double target, double reachable, string why) => Diagnostic.Error(
        TargetUnreachableCode,
        F($"target_sparsity {target:0.####} cannot be reached: at most {reachable:0.####} of the eligible weights can be pruned ({why})"));

    internal static Diagnostic InvalidOption(string option, string detail) => Diagnostic.Error(
        InvalidOptionCode, $"{option}: {detail}");

    internal static Diagnostic DataMismatch(string split, string detail) => Diagnostic.Error(
        DataMismatchCode, $"{split} data: {detail}");

    internal static Diagnostic ChannelsNotPrunable(string node, string opType, string detail) => Diagnostic.Warning(
        ChannelsNotPrunableCode, $"channels through {opType} are kept: {detail}", node: node);

    /// <summary>Code of <see cref="RecurrentStateNotZero"/>.</summary>
    public const string RecurrentStateNotZeroCode = "CMP4010";

    internal static Diagnostic RecurrentStateNotZero(string node, string opType, string input, string what) => Diagnostic.Warning(
        RecurrentStateNotZeroCode,
        $"the hidden units of {opType} '{node}' are kept: its {input} is {what}, so a removed unit would not stay zero. Export the model without an initial state, or with constant zeros (PyTorch's default), to prune them.",
        node: node);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
