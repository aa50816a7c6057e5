using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

public sealed class BRG2004Tests
{
    public static TheoryData<string, string> Buggy => new()
    {
        { "Parallel.ForEach", """
            class C { async Task SaveAsync(int x) => await Task.Delay(x);
              void M(int[] items) { Parallel.ForEach(items, [|async x =>|] await SaveAsync(x)); } }
            """ },
    };

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags(string name, string source)
    {
        _ = name;
        return Verifier.AnalyzerAsync(source);
    }
}
