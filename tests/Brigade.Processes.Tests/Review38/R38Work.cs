using System.Text.Json.Serialization;

namespace Brigade.Processes.Tests.Review38;

/// <summary>Item = culprit: take the worker down in the way asked; others return value * 3.</summary>
public sealed record R38Input(int Value, string How, int Culprit);

public sealed class R38Crasher : IWork<R38Input, int>
{
    public int Execute(R38Input input)
    {
        if (input.Value != input.Culprit)
        {
            return input.Value * 3;
        }

        switch (input.How)
        {
            case "stackoverflow":
                return Recurse(input.Value);
            case "oom":
                var held = new List<byte[]>();
                while (true)
                {
                    var block = new byte[16 * 1024 * 1024];
                    Array.Fill(block, (byte)1);
                    held.Add(block);
                }

            case "stdout":
                using (var stdout = Console.OpenStandardOutput())
                {
                    // Bytes that look like a frame header: a length and a Results type.
                    stdout.Write([16, 0, 0, 0, 67, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
                    stdout.Flush();
                }

                Console.Write("garbage on stdout\n");
                Console.Error.Write("garbage on stderr\0\n");
                return input.Value * 3;
            case "exit":
                Environment.Exit(3);
                return 0;
            default:
                return input.Value * 3;
        }
    }

    private static int Recurse(int depth)
    {
        Span<byte> big = stackalloc byte[1024];
        big[0] = (byte)depth;
        return Recurse(depth + 1) + big[0];
    }
}

public sealed class R38Node
{
    public int Id { get; set; }

    public R38Node? Next { get; set; }
}

/// <summary>Item 5's result refers to itself: it cannot be serialized.</summary>
public sealed class R38Cycle : IWork<int, R38Node>
{
    public R38Node Execute(int input)
    {
        var node = new R38Node { Id = input };
        if (input == 5)
        {
            node.Next = node;
        }

        return node;
    }
}

/// <summary>A value whose setter refuses negatives: the worker writes it, the host cannot read it.</summary>
public sealed class R38Picky
{
    private int _value;

    public R38Picky()
    {
    }

    [JsonConstructor]
    public R38Picky(int value) => Value = value;

    public int Value
    {
        get => _value;
        set => _value = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "negative values refused on read");
    }

    public static R38Picky Raw(int value) => new() { _value = value };
}

public sealed class R38MakePicky : IWork<int, R38Picky>
{
    public R38Picky Execute(int input) => R38Picky.Raw(input == 7 ? -7 : input);
}

/// <summary>Each item returns a string of the given number of characters.</summary>
public sealed class R38Big : IWork<int, string>
{
    public string Execute(int input) => new('x', input);
}


public sealed class R38TakePicky : IWork<R38Picky, int>
{
    public int Execute(R38Picky input) => input.Value;
}

/// <summary>Returns a string of that many '€': three bytes each in UTF-8, so 90 million make a 270 MB result (JSON escaped
/// the '&lt;' this returned before review 66 as six bytes each; strings now travel as UTF-8).</summary>
public sealed class R38Escaped : IWork<int, string>
{
    public string Execute(int input) => new('€', input);
}
