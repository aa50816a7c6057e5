// Compiled beside every ```csharp snippet of README.md, docs/*.md and src/*/README.md (not into the test assembly):
// the implicit usings of a .NET project, and the user's own names that the snippets assume (their data, their work
// types, their helpers). Brigade's namespaces are NOT imported here: a snippet shows its own usings.
// A new snippet that needs a name of the user's that is not here: add it, with the type the snippet implies.
global using System;
global using System.Collections.Generic;
global using System.IO;
global using System.Linq;
global using System.Net.Http;
global using System.Threading;
global using System.Threading.Tasks;
global using static DocsNames;

/// <summary>An inclusive range of numbers to search for primes.</summary>
public readonly record struct Slice(int From, int To);

/// <summary>What a parser of the user's returns.</summary>
public sealed record ReportSummary(string Path, int Pages);

/// <summary>A work type of the user's: counts primes in a slice.</summary>
public sealed class CountPrimes : Brigade.IWork<Slice, int>
{
    public int Execute(Slice input) => PrimesBetween(input.From, input.To);
}

/// <summary>A work type of the user's around a native library.</summary>
public sealed class ParseWithNativeLibrary : Brigade.IWork<string, ReportSummary>
{
    public ReportSummary Execute(string input) => LegacyNativeParser.Parse(input);
}

/// <summary>A work type of the user's, in the assembly its cluster's silos load.</summary>
public sealed class Score : Brigade.IWork<int, double>
{
    public double Execute(int input) => Math.Sqrt(input);
}

public static class LegacyNativeParser
{
    public static ReportSummary Parse(string path) => new(path, 1);
}

public static class LegacyClient
{
    public static void Download(string url) => Console.WriteLine(url);
}

public interface IApi
{
    Task<string> GetAsync(int id, CancellationToken cancellationToken);
}

public static class DocsNames
{
    public static Slice[] ranges = [new(1, 1000)];
    public static Slice[] slices = ranges;
    public static string[] urls = ["https://example.com/"];
    public static string[] paths = ["report.pdf"];
    public static string[] files = ["a.bin"];
    public static string[] lines = ["the quick brown fox"];
    public static int[] items = [1, 2, 3];
    public static IApi api = null!;
    public static Orleans.IClusterClient clusterClient = null!;
    public static Orleans.Hosting.ISiloBuilder silo = null!;
    public static Orleans.Hosting.IClientBuilder client = null!;
    public static Brigade.Synchronization.Shared<int> config = new("config");
    public static int value = 1;
    public static object queue = new();
    public static CancellationToken cancellationToken = CancellationToken.None;
    public static Microsoft.Extensions.Logging.ILogger logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public static int PrimesBetween(int from, int to) => Enumerable.Range(from, to - from + 1).Count(IsPrime);
    public static bool IsPrime(int n) => n > 1 && Enumerable.Range(2, (int)Math.Sqrt(n) - 1).All(d => n % d != 0);
    public static byte[] Hash(string path) => System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path));
    public static IAsyncEnumerable<int> ReadIdsAsync() => AsyncEnumerable.Range(1, 10);
    public static void Save<T>(T value) => Console.WriteLine(value);
    public static void Log(string message) => Console.WriteLine(message);
    public static Task SaveAsync(CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);
    public static Task SaveAsync<T>(T value, CancellationToken cancellationToken = default) => Task.Delay(1, cancellationToken);
    public static void Transfer() { }
    public static void Work() { }
    public static void Work(int item) { }
    public static bool Take(out int item) { item = 0; return false; }
    public static void Handle(int item) { }
}
