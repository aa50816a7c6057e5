using Brigade.Engines.Remote;

namespace Brigade.Tests.Lib56;

/// <summary>
/// A result whose objects form a cycle fails its item with the cycle named once (lib56: System.Text.Json's message spelt
/// the path to its depth limit, <c>.Next</c> 64 times in one line of the report).
/// </summary>
public sealed class CycleMessageTests
{
    [Fact]
    public void CyclicResult_FailsItsItem_NamingTheRepeatedStepOnce()
    {
        using var executor = RemoteItemExecutor.Create(WorkDescriptor.For(typeof(Ring)), policy: null, allowRaw: true);
        var writer = new FailureRecorder();
        var inputs = new RemoteValueBuffer();
        using (var codec = new RemoteValueCodec<int>(WorkDescriptor.For(typeof(Ring)).InputTypeInfo, allowRaw: true))
        {
            Assert.Null(codec.Write(inputs, [1], 1));
        }

        executor.ReadInputs(inputs.WrittenSpan, 1);
        executor.Run(writer, new RemoteBatchControl(long.MaxValue, false, RemoteCpuClock.Process, CancellationToken.None));

        var message = Assert.Single(writer.Messages);
        Assert.StartsWith("The result could not be serialized as Brigade.Tests.Lib56.CycleMessageTests+Node: A possible object cycle", message, StringComparison.Ordinal);
        Assert.Contains("Path: $ then .Next repeated ", message, StringComparison.Ordinal);
        Assert.Contains("an object cycle through .Next", message, StringComparison.Ordinal);
        Assert.True(message.Split(".Next").Length - 1 <= 2, message);
    }

    [Theory]
    [InlineData("$.Next.Next.Next.Next.Value", "$ .Next 4 .Value")]
    [InlineData("$.Items[0].Next.Next.Next.Next", "$.Items[0] .Next 4 ")]
    [InlineData("$.A.B.A.B.A.B.A.B.A", "$.A .B.A 4 ")]
    [InlineData("$['a b'].Child['a b'].Child['a b'].Child['a b'].Child", "$ ['a b'].Child 4 ")]
    [InlineData("$.Next.Next.Next.Value", null)]
    [InlineData("$.Order.Lines[3].Product.Name", null)]
    [InlineData("not a path", null)]
    public void Repetition_FindsTheShortestRepeatedRun_BeforeAtMostTwoLastSegments(string path, string? expected)
    {
        var found = SerializationErrorText.Repetition(path);

        Assert.Equal(expected, found is { } r ? $"{r.Prefix} {r.Unit} {r.Count} {r.After}" : null);
    }

    /// <summary>A node of a linked list.</summary>
    public sealed class Node
    {
        /// <summary>Gets or sets the node's value.</summary>
        public int Value { get; set; }

        /// <summary>Gets or sets the next node.</summary>
        public Node? Next { get; set; }
    }

    /// <summary>Two nodes that point at each other.</summary>
    public sealed class Ring : IWork<int, Node>
    {
        /// <inheritdoc/>
        public Node Execute(int input)
        {
            var first = new Node { Value = input };
            first.Next = new Node { Value = input + 1, Next = first };
            return first;
        }
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
