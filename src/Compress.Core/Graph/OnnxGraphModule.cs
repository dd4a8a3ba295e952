using Compress.Diagnostics;
using Compress.Onnx.Proto;
using Compress.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Compress.Graph;

/// <summary>
/// An ONNX model as a trainable TorchSharp module. Float initializers are <see cref="Parameter"/>s registered
/// under their ONNX names (so optimizers, pruning masks and export find them by name); other initializers and
/// BatchNormalization running statistics are buffers. <c>train()</c>/<c>eval()</c> switch the behaviour of
/// BatchNormalization and Dropout as in PyTorch. The batch dimension stays dynamic.
/// </summary>
public sealed class OnnxGraphModule : nn.Module
{
    private readonly Dictionary<string, Parameter> _onnxParameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _onnxBuffers = new(StringComparer.Ordinal);
    private readonly CompiledGraph _graph;

    private OnnxGraphModule(ModelProto model, OperatorRegistry registry, string? file, OutputHead? head)
        : base(string.IsNullOrEmpty(model.Graph?.Name) ? "onnx" : model.Graph.Name)
    {
        Model = model;
        Head = head ?? OutputHead.First(model);
        var compiler = new GraphCompiler(registry, Opsets(model), file, RegisterWeight);
        _graph = compiler.Compile(model.Graph ?? throw new CompressException(ModelMessages.BrokenGraph(null, "the model has no graph")));
    }

    /// <summary>
    /// Builds the module. Throws <see cref="CompressException"/> with every unsupported operator (CMP2101) at once,
    /// or the first structural problem (CMP2102–CMP2105). <paramref name="file"/> is used in diagnostics.
    /// <paramref name="head"/> says which output is trained and on which value (<see cref="ForwardScores"/>);
    /// default: the first output's head (<see cref="OutputHead.First"/>).
    /// </summary>
    public static OnnxGraphModule Create(ModelProto model, OperatorRegistry? registry = null, string? file = null, OutputHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        TorchRuntime.Initialize();
        return new OnnxGraphModule(model, registry ?? OperatorRegistry.Default, file, head);
    }

    /// <summary>
    /// Every node of <paramref name="model"/> (sub-graphs included) that <paramref name="registry"/> (default: the
    /// built-in operators) cannot run, one CMP2101 diagnostic each, without building anything. Empty when all are supported.
    /// </summary>
    public static IReadOnlyList<Diagnostic> FindUnsupportedOperators(ModelProto model, OperatorRegistry? registry = null, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Graph is null ? [] : Checker(model, registry, file).FindUnsupported(model.Graph);
    }

    internal static IReadOnlyList<GraphCompiler.UnsupportedNode> FindUnsupportedNodes(ModelProto model, OperatorRegistry? registry = null) =>
        model.Graph is null ? [] : Checker(model, registry, null).FindUnsupportedNodes(model.Graph);

    private static GraphCompiler Checker(ModelProto model, OperatorRegistry? registry, string? file) =>
        new(registry ?? OperatorRegistry.Default, Opsets(model), file, static (_, t, _) => t);

    private static Dictionary<string, long> Opsets(ModelProto model)
    {
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var opset in model.OpsetImport)
        {
            opsets[OperatorRegistry.Normalise(opset.Domain)] = opset.Version;
        }

        return opsets;
    }

    /// <summary>The model this module was built from (not modified by training; export writes weights back).</summary>
    public ModelProto Model { get; }

    /// <summary>The output trained against, and the value training reads (<see cref="OutputHead.TrainingValue"/>).</summary>
    public OutputHead Head { get; }

    /// <summary>The compiled graph.</summary>
    public CompiledGraph Graph => _graph;

    /// <summary>Trainable weights by ONNX initializer name, in initializer order.</summary>
    public IReadOnlyDictionary<string, Parameter> OnnxParameters => _onnxParameters;

    /// <summary>Non-trainable float initializers (running statistics) by ONNX name.</summary>
    public IReadOnlyDictionary<string, Tensor> OnnxBuffers => _onnxBuffers;

    /// <summary>Names of the inputs callers feed.</summary>
    public IReadOnlyList<string> InputNames => _graph.InputNames;

    /// <summary>Names of the outputs, in order.</summary>
    public IReadOnlyList<string> OutputNames => _graph.OutputNames;

    /// <summary>Runs the graph in the module's current mode (<c>train()</c> / <c>eval()</c>).</summary>
    public Dictionary<string, Tensor> Forward(IReadOnlyDictionary<string, Tensor> inputs) =>
        _graph.Run(training ? ExecutionContext.Train : ExecutionContext.Eval, inputs);

    /// <summary>Runs a single-input graph and returns its first output.</summary>
    public Tensor Forward(Tensor input)
    {
        if (InputNames.Count != 1)
        {
            throw new InvalidOperationException($"the model has {InputNames.Count} inputs; use the dictionary overload");
        }

        return Forward(new Dictionary<string, Tensor> { [InputNames[0]] = input })[OutputNames[0]];
    }

    /// <summary>
    /// Runs a single-input graph and returns the head's training value: the scores before the head's Softmax,
    /// LogSoftmax or Sigmoid (the output itself for logits). Only what that value needs is returned; the graph's
    /// other outputs are not fetched.
    /// </summary>
    public Tensor ForwardScores(Tensor input)
    {
        if (InputNames.Count != 1)
        {
            throw new InvalidOperationException($"the model has {InputNames.Count} inputs; use the dictionary overload");
        }

        var feeds = new Dictionary<string, Tensor> { [InputNames[0]] = input };
        return _graph.Run(training ? ExecutionContext.Train : ExecutionContext.Eval, feeds, fetch: [Head.TrainingValue])[Head.TrainingValue];
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _graph.Dispose();
        }

        base.Dispose(disposing);
    }

    private Tensor RegisterWeight(string name, Tensor tensor, bool trainable)
    {
        if (trainable)
        {
            var parameter = new Parameter(tensor, requires_grad: true);
            parameter.DetachFromDisposeScope();
            register_parameter(name, parameter);
            _onnxParameters[name] = parameter;
            return parameter;
        }

        tensor.DetachFromDisposeScope();
        register_buffer(name, tensor);
        _onnxBuffers[name] = tensor;
        return tensor;
    }
}
