using System.Diagnostics.CodeAnalysis;

namespace Brigade;

/// <summary>
/// Names the source-generated <see cref="System.Text.Json.Serialization.JsonSerializerContext"/> that serializes a
/// work type's inputs and results when they cross a process or machine boundary.
/// </summary>
/// <remarks>
/// Without this attribute, inputs and results use reflection-based System.Text.Json with Brigade's defaults
/// (public properties and fields, named floating-point literals allowed). With it, every input and result type must
/// be in the context (<c>[JsonSerializable(typeof(T))]</c>); a missing one is reported before any item runs.
/// </remarks>
/// <example>
/// <code>
/// [JsonSerializable(typeof(Slice))]
/// [JsonSerializable(typeof(int))]
/// internal sealed partial class PrimesJson : JsonSerializerContext;
///
/// [WorkSerializer(typeof(PrimesJson))]
/// public sealed class CountPrimes : IWork&lt;Slice, int&gt; { ... }
/// </code>
/// </example>
/// <param name="contextType">A type deriving from <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>
/// with a static <c>Default</c> property or a parameterless constructor.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WorkSerializerAttribute(
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type contextType) : Attribute
{
    /// <summary>Gets the serializer context type.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type ContextType { get; } = contextType ?? throw new ArgumentNullException(nameof(contextType));
}
