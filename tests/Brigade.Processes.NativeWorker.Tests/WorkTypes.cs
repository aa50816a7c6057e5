using System.Text.Json.Serialization;

namespace Brigade.Processes.NativeWorker.Tests;

// The work types of the native worker tests, compiled into the tests (the host's side) and into the test worker
// (tests/Brigade.Processes.NativeWorker.TestWorker, linked): the engine names them by full name.

public sealed class Square : IWork<int, long>
{
    public long Execute(int input) => (long)input * input;
}

public sealed class Shout : IWork<string, string>
{
    public string Execute(string input) => input.ToUpperInvariant() + "!";
}

public sealed record Shape(string Kind, double Width, double Height, int[] Tags);

public sealed record Label(string Text, double Area, int TagCount);

[JsonSerializable(typeof(Shape))]
[JsonSerializable(typeof(Label))]
internal sealed partial class ShapeJson : JsonSerializerContext;

/// <summary>Travels through a source-generated context on both sides: [WorkSerializer] for the host, the catalog for the worker.</summary>
[WorkSerializer(typeof(ShapeJson))]
public sealed class Describe : IWork<Shape, Label>
{
    public Label Execute(Shape input) => new($"{input.Kind} {input.Width}x{input.Height} ✓", input.Width * input.Height, input.Tags.Length);
}

public sealed class ThrowOnSevens : IWork<int, int>
{
    public int Execute(int input) => input % 7 == 0 ? throw new InvalidOperationException($"item {input} is a multiple of 7") : input + 1;
}

public sealed class CrashOn13 : IWork<int, int>
{
    public int Execute(int input)
    {
        if (input == 13)
        {
            Environment.FailFast($"item {input} pulls the plug");
        }

        return input * 3;
    }
}

/// <summary>Says which executable runs the item: the worker's own, not dotnet.</summary>
public sealed class WhichExecutable : IWork<int, string>
{
    public string Execute(int input) => Path.GetFileName(Environment.ProcessPath) ?? "";
}

/// <summary>Waits for its cancellation; with <see cref="StartedVariable"/> set, first leaves a file named after the item in that directory.</summary>
public sealed class WaitForCancel : IAsyncWork<int, int>
{
    /// <summary>The environment variable naming the directory where each item, as it starts, leaves a file named after it.</summary>
    public const string StartedVariable = "BRIGADE_TEST_STARTED_DIR";

    public async ValueTask<int> ExecuteAsync(int input, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(StartedVariable) is { Length: > 0 } directory)
        {
            File.WriteAllText(Path.Combine(directory, input.ToString(System.Globalization.CultureInfo.InvariantCulture)), "");
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
        return input;
    }
}

public sealed class HalveLater : IAsyncWork<int, double>
{
    public async ValueTask<double> ExecuteAsync(int input, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return input / 2.0;
    }
}

/// <summary>Known to the host, not to the test worker's catalog.</summary>
public sealed class NotInCatalog : IWork<int, int>
{
    public int Execute(int input) => input;
}
