using Brigade.Engines.Remote;

namespace Brigade.Tests.Review58;

/// <summary>
/// A result of a type derived from the work's declared result type travelled as the declared type: System.Text.Json
/// writes a declared type's members only (lib58: a <c>Circle</c> returned as <c>Shape</c> came back from the workers as
/// a plain <c>Shape</c>, its radius gone, reported as a success). Such a result now fails its item, saying what would be
/// lost; one that adds nothing serialized, and inputs (read by the work as its declared type), travel as before.
/// </summary>
public sealed class DerivedResultTests
{
    [Fact]
    public void DerivedResult_WithMembersTheDeclaredTypeLacks_FailsItsItemNamingThem()
    {
        var messages = Run(typeof(MakeShape), [1, 2]);

        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Contains("The value is a Circle, but it travels as Shape", m, StringComparison.Ordinal));
        Assert.Contains("so Radius would be lost", messages[0], StringComparison.Ordinal);
        Assert.Contains("[JsonDerivedType(typeof(Circle), \"Circle\")]", messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public void DerivedResult_AddingNoMember_AndTheDeclaredTypeItself_Succeed()
    {
        Assert.Empty(Run(typeof(MakePlain), [1, 2, 3]));
        Assert.Empty(Run(typeof(MakeShape), [0]));
    }

    private static List<string> Run(Type workType, int[] inputs)
    {
        var descriptor = WorkDescriptor.For(workType);
        using var executor = RemoteItemExecutor.Create(descriptor, policy: null, allowRaw: true);
        var writer = new FailureRecorder();
        var buffer = new RemoteValueBuffer();
        using (var codec = new RemoteValueCodec<int>(descriptor.InputTypeInfo, allowRaw: true))
        {
            Assert.Null(codec.Write(buffer, inputs, inputs.Length));
        }

        executor.ReadInputs(buffer.WrittenSpan, inputs.Length);
        executor.Run(writer, new RemoteBatchControl(long.MaxValue, false, RemoteCpuClock.Process, CancellationToken.None));
        return writer.Messages;
    }

    /// <summary>A shape.</summary>
    public class Shape
    {
        /// <summary>Gets or sets the name.</summary>
        public string Name { get; set; } = "";
    }

    /// <summary>A circle.</summary>
    public sealed class Circle : Shape
    {
        /// <summary>Gets or sets the radius.</summary>
        public double Radius { get; set; }
    }

    /// <summary>A shape with a behaviour of its own and no state of its own.</summary>
    public sealed class Plain : Shape
    {
        /// <inheritdoc/>
        public override string ToString() => "plain " + Name;
    }

    /// <summary>Returns circles as shapes (a plain shape for 0).</summary>
    public sealed class MakeShape : IWork<int, Shape>
    {
        /// <inheritdoc/>
        public Shape Execute(int input) => input == 0 ? new Shape { Name = "s" } : new Circle { Name = "c" + input, Radius = input * 1.5 };
    }

    /// <summary>Returns derived shapes that add no member.</summary>
    public sealed class MakePlain : IWork<int, Shape>
    {
        /// <inheritdoc/>
        public Shape Execute(int input) => new Plain { Name = "p" + input };
    }

    private sealed class FailureRecorder : IRemoteResultWriter
    {
        public List<string> Messages { get; } = [];

        public void WriteChunk(in RemoteResultChunk chunk)
        {
            Messages.AddRange(chunk.Failures.Select(f => f.Error.Message));
        }
    }
}
