using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Brigade.Distribution.Tests.FirstPool;

/// <summary>
/// Brigade.dll's ReadyToRun image holds the run pipeline's code over CoreLib's primitive types
/// (Brigade.Internal.PrimitiveInstantiations): a JIT-compiled application's first run over <c>long</c>, or from a
/// reference type to <c>int</c>, through a work type or a lambda, does not JIT-compile the pipeline's entry points, job and run state machine. Read from
/// the runtime's own list of the methods it JIT-compiled (DOTNET_JitStdOutFile), in a new process of a small program.
/// A constraint added to a pipeline type parameter, or an entry point the roots no longer name, would silently send
/// that code back to the JIT: this is what fails then.
/// </summary>
public sealed class PrimitiveInstantiationsTests
{
    private const string Program = """
        using Brigade;

        var options = new RunOptions { Engine = Engine.Sequential };
        var squares = await Runner.MapAsync(new long[] { 1, 2, 3 }, new Square(), options);
        var words = await Runner.MapAsync(new[] { "a b", "c" }, new Words(), options);
        var doubled = await Runner.MapAsync(new long[] { 1, 2 }, x => x * 2, options);
        System.Console.WriteLine(squares.Count + words.Count + doubled.Count);

        internal sealed class Square : IWork<long, long>
        {
            public long Execute(long input) => input * input;
        }

        internal sealed class Words : IWork<string, int>
        {
            public int Execute(string input) => input.Split(' ').Length;
        }
        """;

    // Methods that the image holds for these pairs ("[System.__Canon,int]" is string -> int: any reference type in): the
    // entry point, the run's state machine, the job's batch methods (not the engine's own generic methods, reached through a
    // generic virtual call; nor tiny accessors the image inlines into its callers, some of which shared code still calls).
    private static readonly Regex Pipeline = new(
        @"JIT compiled Brigade\.((Runner:MapAsync|Runner:MapCoreAsync|Internal\.RunPipeline\+<RunAsync>d__\d+`2|Internal\.WorkFunction`2)\S*?\[(long,long|System\.__Canon,int)\]" +
        @"|EngineJob`2\[(long,long|System\.__Canon,int)\]:(\.ctor|TakeBatch|ExecuteBatch|EndBatch))",
        RegexOptions.CultureInvariant);

    [SkippableFact]
    public async Task AFirstRunOverPrimitiveTypes_DoesNotJitCompileThePipeline()
    {
        var brigade = Path.Combine(AppContext.BaseDirectory, "Brigade.dll");
        using (var pe = new PEReader(File.OpenRead(brigade)))
        {
            // build/ReadyToRun.targets: Release builds, on the machines it runs crossgen2 on.
            Skip.IfNot(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "Brigade.dll is not a ReadyToRun image in this build");
        }

        Skip.IfNot(
            (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64,
            "the image's code is for this machine only where build/ReadyToRun.targets compiles one");

        using var temp = new TempDirectory();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Brigade", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(brigade));
        var compilation = CSharpCompilation.Create(
            "FirstRun",
            [CSharpSyntaxTree.ParseText(Program, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, optimizationLevel: OptimizationLevel.Release));
        var emitted = compilation.Emit(temp.File("FirstRun.dll"));
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        await File.WriteAllTextAsync(
            temp.File("FirstRun.runtimeconfig.json"),
            $$"""{ "runtimeOptions": { "tfm": "net10.0", "framework": { "name": "Microsoft.NETCore.App", "version": "{{Environment.Version}}" } } }""");

        // The program runs beside the test's own assemblies (Brigade.dll's image and its dependencies), linked, not copied.
        foreach (var dll in Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
        {
            File.CreateSymbolicLink(temp.File(Path.GetFileName(dll)), dll);
        }

        var list = temp.File("jit.txt");
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_JitStdOutFile"] = list,
            ["DOTNET_JitDisasmSummary"] = "1",
            // No call counting, so no tier-1 compilation on the runtime's background thread: one run in review 65 ended
            // "free(): invalid pointer" (exit 134) after printing 7, the JIT writing to this list while the runtime shut it
            // at exit. First compilations, what this test reads, are the same without it.
            ["DOTNET_TC_CallCounting"] = "0",
        };
        var (exit, stdout, stderr) = await Dotnet.RunProgramAsync("dotnet", temp.Path, TimeSpan.FromMinutes(2), environment, "exec", temp.File("FirstRun.dll"));
        Assert.True(exit == 0, $"exit code {exit}: {stdout}{stderr}");
        Assert.Equal("7", stdout.Trim());

        var jitted = (await File.ReadAllLinesAsync(list)).Where(l => l.Contains("JIT compiled", StringComparison.Ordinal)).ToList();
        Assert.Contains(jitted, l => l.Contains("<Main>$", StringComparison.Ordinal));   // the list is the program's
        // Code from the image is JIT-compiled again at tier 1 when it runs hot: only first compilations count.
        var pipeline = jitted.Where(l => Pipeline.IsMatch(l) && !l.Contains("Tier1", StringComparison.Ordinal) && !l.Contains("OSR", StringComparison.Ordinal)).ToList();
        Assert.True(pipeline.Count == 0, $"JIT-compiled, not taken from Brigade.dll's image:\n{string.Join("\n", pipeline)}");
    }
}
