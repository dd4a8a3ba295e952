using Compress.Graph.Operators;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Compress.Training;

/// <summary>
/// SGD (momentum, Nesterov, L2 weight decay), Adam (L2 weight decay) and AdamW (decoupled weight decay) with PyTorch's
/// update rules, written so that every <see cref="Scalar"/> handed to libtorch is held by a local until the native
/// call returns, including the alpha of 1 that TorchSharp's <c>add_</c> overloads create (<see cref="RootedScalars"/>).
/// </summary>
/// <remarks>
/// TorchSharp 0.107's own optimizers pass implicitly converted scalars (<c>value: -step_size</c>) to native code
/// without keeping them alive; when the garbage collector finalizes one during the call, libtorch reads freed memory
/// and the process dies with "Expected false to be true" from <c>c10::Scalar::toFloat</c> or "Unknown scalar type"
/// (seen with <c>threads: 1</c> after a few epochs; dotnet/TorchSharp PRs 1434 and 1496 track the upstream fix).
/// Parity with <c>torch.optim</c> is tested step by step.
/// </remarks>
public sealed class ScalarSafeOptimizer : IDisposable
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    private readonly OptimizerKind _kind;
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly double _momentum;
    private readonly bool _nesterov;
    private readonly double _weightDecay;
    private readonly Tensor?[] _first;
    private readonly Tensor?[] _second;
    private readonly long[] _steps;

    /// <summary>An optimizer of <paramref name="kind"/> over <paramref name="parameters"/>.</summary>
    public ScalarSafeOptimizer(OptimizerKind kind, IReadOnlyList<Parameter> parameters, double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _kind = kind;
        _parameters = parameters;
        LearningRate = learningRate;
        _momentum = momentum;
        _nesterov = nesterov;
        _weightDecay = weightDecay;
        _first = new Tensor?[parameters.Count];
        _second = new Tensor?[parameters.Count];
        _steps = new long[parameters.Count];
    }

    /// <summary>The learning rate of the next <see cref="Step"/>.</summary>
    public double LearningRate { get; set; }

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            p.grad?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (var i = 0; i < _parameters.Count; i++)
        {
            if (_parameters[i].grad is not { } grad)
            {
                continue;
            }

            switch (_kind)
            {
                case OptimizerKind.Sgd:
                    Sgd(i, grad);
                    break;
                case OptimizerKind.Adam:
                    Adam(i, grad, decoupled: false);
                    break;
                case OptimizerKind.AdamW:
                    Adam(i, grad, decoupled: true);
                    break;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _first.Concat(_second))
        {
            t?.Dispose();
        }
    }

    private void Sgd(int i, Tensor grad)
    {
        var p = _parameters[i];
        var direction = grad;
        if (_weightDecay != 0)
        {
            using var decay = _weightDecay.ToScalar();
            direction = direction.add(p, alpha: decay);
        }

        if (_momentum != 0)
        {
            using var momentum = _momentum.ToScalar();
            if (_first[i] is not { } buffer)
            {
                buffer = _first[i] = direction.clone().DetachFromDisposeScope();
            }
            else
            {
                buffer.mul_(momentum).PlusInPlace(direction);
            }

            direction = _nesterov ? direction.add(buffer, alpha: momentum) : buffer;
        }

        using var step = (-LearningRate).ToScalar();
        p.add_(direction, alpha: step);
    }

    private void Adam(int i, Tensor grad, bool decoupled)
    {
        var p = _parameters[i];
        if (_weightDecay != 0 && decoupled)
        {
            using var shrink = (1 - (LearningRate * _weightDecay)).ToScalar();
            p.mul_(shrink);
        }
        else if (_weightDecay != 0)
        {
            using var decay = _weightDecay.ToScalar();
            grad = grad.add(p, alpha: decay);
        }

        var steps = ++_steps[i]; // per parameter, as torch.optim counts
        var m = _first[i] ??= zeros_like(p).DetachFromDisposeScope();
        var v = _second[i] ??= zeros_like(p).DetachFromDisposeScope();
        using var beta1 = Beta1.ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        m.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
        v.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);

        var correction1 = 1 - Math.Pow(Beta1, steps);
        var correction2 = 1 - Math.Pow(Beta2, steps);
        using var root2 = Math.Sqrt(correction2).ToScalar();
        using var epsilon = Epsilon.ToScalar();
        using var step = (-LearningRate / correction1).ToScalar();
        var denominator = v.sqrt().div_(root2).PlusInPlace(epsilon);
        p.addcdiv_(m, denominator, value: step);
    }
}
