using System.Reflection;
using System.Reflection.Emit;

namespace Compress.Core.Tests.Layering;

/// <summary>One use of a type by another: <paramref name="From"/> names the using type and member (and whether the use
/// is in a signature or in a method body), <paramref name="To"/> is the type used.</summary>
public sealed record TypeUse(Type FromType, string From, Type To);

/// <summary>
/// Every type a type uses, found by reflection: base type, interfaces, attributes, generic constraints, fields,
/// properties, events, method signatures, local variables, and every type, method, field or token an instruction of a
/// method body refers to (read from <see cref="MethodBody.GetILAsByteArray"/> and resolved through the module), so a
/// use that appears only inside a method body counts as much as one in a signature. Compiler-generated closures and
/// state machines are nested types and are read the same way; they report under their nested name.
/// </summary>
public static class TypeDependencies
{
    private const BindingFlags Declared =
        BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every use of another type by <paramref name="type"/> (not by its nested types, which
    /// <see cref="Assembly.GetTypes"/> lists on their own).</summary>
    public static IEnumerable<TypeUse> Of(Type type)
    {
        var uses = new List<TypeUse>();
        void Add(string member, Type? used)
        {
            foreach (var t in Expand(used))
            {
                uses.Add(new TypeUse(type, $"{type.FullName}{member}", t));
            }
        }

        Add(" (base type)", type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(" (interface)", i);
        }
        AddAttributes(" (attribute)", type.GetCustomAttributesData(), Add);
        foreach (var p in type.IsGenericTypeDefinition ? type.GetGenericArguments() : [])
        {
            foreach (var c in p.GetGenericParameterConstraints())
            {
                Add(" (generic constraint)", c);
            }
        }
        foreach (var f in type.GetFields(Declared))
        {
            Add($".{f.Name} (field)", f.FieldType);
            AddAttributes($".{f.Name} (attribute)", f.GetCustomAttributesData(), Add);
        }
        foreach (var p in type.GetProperties(Declared))
        {
            Add($".{p.Name} (property)", p.PropertyType);
            AddAttributes($".{p.Name} (attribute)", p.GetCustomAttributesData(), Add);
        }
        foreach (var e in type.GetEvents(Declared))
        {
            Add($".{e.Name} (event)", e.EventHandlerType);
        }
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            var name = $".{m.Name}";
            if (m is MethodInfo info)
            {
                Add($"{name} (return type)", info.ReturnType);
            }
            foreach (var p in m.GetParameters())
            {
                Add($"{name} (parameter {p.Name})", p.ParameterType);
            }
            AddAttributes($"{name} (attribute)", m.GetCustomAttributesData(), Add);
            foreach (var used in BodyUses(m))
            {
                Add($"{name} (method body)", used);
            }
        }
        return uses;
    }

    private static void AddAttributes(string member, IList<CustomAttributeData> attributes, Action<string, Type?> add)
    {
        foreach (var a in attributes)
        {
            add(member, a.AttributeType);
            foreach (var arg in a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.TypedValue)))
            {
                add(member, arg.ArgumentType);
                if (arg.Value is Type t)
                {
                    add(member, t);
                }
            }
        }
    }

    /// <summary>The types a method body refers to: its locals and the operands of its instructions.</summary>
    private static IEnumerable<Type?> BodyUses(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            yield break;
        }
        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }
        var il = body.GetILAsByteArray() ?? [];
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[at++]);
            }
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineType:
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineTok:
                    var member = module.ResolveMember(BitConverter.ToInt32(il, at), typeArgs, methodArgs);
                    foreach (var t in TypesOf(member))
                    {
                        yield return t;
                    }
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    at += 8;
                    break;
                default:
                    // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR: four bytes.
                    at += 4;
                    break;
            }
        }
    }

    private static IEnumerable<Type?> TypesOf(MemberInfo? member) => member switch
    {
        Type t => [t],
        MethodBase m => [m.DeclaringType, .. m.IsGenericMethod ? m.GetGenericArguments() : []],
        FieldInfo f => [f.DeclaringType],
        _ => [member?.DeclaringType],
    };

    /// <summary>A type and the types it is built from: element types of arrays, pointers and references, and the
    /// definition and arguments of a generic type. Generic parameters are placeholders and use nothing.</summary>
    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }
        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()))
            {
                yield return t;
            }
            yield break;
        }
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            yield return type.GetGenericTypeDefinition();
            foreach (var t in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return t;
            }
            yield break;
        }
        yield return type;
    }
}
