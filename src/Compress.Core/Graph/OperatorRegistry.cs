using System.Reflection;

namespace Compress.Graph;

/// <summary>One registered implementation: (domain, op type, since-version) and how to make an instance.</summary>
public sealed record OperatorRegistration(string Domain, string OpType, int SinceVersion, Type? ImplementationType, Func<OnnxOperator> Factory)
{
    /// <summary><c>domain.OpType-since</c>, with <c>ai.onnx</c> for the default domain.</summary>
    public override string ToString() => $"{OperatorRegistry.DisplayDomain(Domain)}.{OpType}-{SinceVersion}";
}

/// <summary>
/// The one table of operators, keyed by (domain, op type, since-version). The default registry holds every class
/// in this assembly marked with <see cref="OnnxOperatorAttribute"/>; custom domains add theirs with
/// <see cref="Register"/>. For a model's opset the highest since-version not above it wins.
/// </summary>
public sealed class OperatorRegistry
{
    private readonly Dictionary<(string Domain, string OpType), List<OperatorRegistration>> _table = [];

    /// <summary>The built-in operators.</summary>
    public static OperatorRegistry Default { get; } = FromAssembly(typeof(OperatorRegistry).Assembly);

    /// <summary>A registry of every <see cref="OnnxOperatorAttribute"/>-marked class in <paramref name="assembly"/>.</summary>
    public static OperatorRegistry FromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var registry = new OperatorRegistry();
        foreach (var type in assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(OnnxOperator)) && !t.IsAbstract))
        {
            foreach (var attribute in type.GetCustomAttributes<OnnxOperatorAttribute>())
            {
                registry.Register(attribute.Domain, attribute.OpType, attribute.SinceVersion, type);
            }
        }

        return registry;
    }

    /// <summary>A copy of this registry, for adding custom operators without touching <see cref="Default"/>.</summary>
    public OperatorRegistry Clone()
    {
        var copy = new OperatorRegistry();
        foreach (var registration in All)
        {
            copy.Add(registration);
        }

        return copy;
    }

    /// <summary>Registers <typeparamref name="T"/> for (domain, op type) from <paramref name="sinceVersion"/>.</summary>
    public void Register<T>(string domain, string opType, int sinceVersion)
        where T : OnnxOperator, new() => Add(new OperatorRegistration(Normalise(domain), opType, sinceVersion, typeof(T), static () => new T()));

    /// <summary>Registers an implementation type with a public parameterless constructor.</summary>
    public void Register(string domain, string opType, int sinceVersion, Type implementation)
    {
        ArgumentNullException.ThrowIfNull(implementation);
        if (!implementation.IsSubclassOf(typeof(OnnxOperator)) || implementation.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"{implementation} must derive from OnnxOperator and have a public parameterless constructor", nameof(implementation));
        }

        Add(new OperatorRegistration(Normalise(domain), opType, sinceVersion, implementation, () => (OnnxOperator)Activator.CreateInstance(implementation)!));
    }

    /// <summary>The implementation for a model whose opset of <paramref name="domain"/> is <paramref name="opset"/>, or null.</summary>
    public OperatorRegistration? Find(string domain, string opType, long opset)
    {
        if (!_table.TryGetValue((Normalise(domain), opType), out var versions))
        {
            return null;
        }

        return versions.Where(v => v.SinceVersion <= opset).MaxBy(v => v.SinceVersion);
    }

    /// <summary>Every registration, ordered by domain, op type and version.</summary>
    public IEnumerable<OperatorRegistration> All =>
        _table.Values.SelectMany(v => v).OrderBy(r => r.Domain, StringComparer.Ordinal)
            .ThenBy(r => r.OpType, StringComparer.Ordinal).ThenBy(r => r.SinceVersion);

    /// <summary>The supported operator types, e.g. <c>Add Conv ... com.example.MyOp</c>.</summary>
    public IReadOnlyList<string> SupportedNames =>
        All.Select(r => r.Domain.Length == 0 ? r.OpType : $"{r.Domain}.{r.OpType}").Distinct().ToList();

    /// <summary>The domain as shown to users (<c>ai.onnx</c> for the default).</summary>
    public static string DisplayDomain(string domain) => Normalise(domain).Length == 0 ? "ai.onnx" : domain;

    /// <summary>Maps <c>ai.onnx</c> to the empty default domain.</summary>
    public static string Normalise(string? domain) => domain is null or "ai.onnx" ? "" : domain;

    private void Add(OperatorRegistration registration)
    {
        var key = (registration.Domain, registration.OpType);
        if (!_table.TryGetValue(key, out var versions))
        {
            _table[key] = versions = [];
        }

        if (versions.Any(v => v.SinceVersion == registration.SinceVersion))
        {
            throw new InvalidOperationException($"{registration} is registered twice");
        }

        versions.Add(registration);
    }
}
