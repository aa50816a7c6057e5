using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review72;

/// <summary>Review 72 (fresh71's generic-canon-name): an ABBA inside <c>Repo&lt;T&gt;.Save</c> was reported at
/// <c>Repo&lt;System.__Canon&gt;</c> (shared code's type), which users never wrote. One formatter (SourceNames) names a
/// frame's type, a holder's field and a delegate's method as the source does.</summary>
public sealed class GenericNameTests
{
    [Theory]
    [InlineData("Shop.Repo<System.__Canon>", new[] { "T" }, "Shop.Repo<T>")]
    [InlineData("Shop.Map<System.__Canon, System.Int32>", new[] { "TKey", "TValue" }, "Shop.Map<TKey, System.Int32>")]
    [InlineData("Shop.Map<System.Int32, System.__Canon>", new[] { "TKey", "TValue" }, "Shop.Map<System.Int32, TValue>")]
    [InlineData("Shop.Outer<System.__Canon>+Inner<System.__Canon>", new[] { "TOuter", "TInner" }, "Shop.Outer<TOuter>+Inner<TInner>")]
    [InlineData("Shop.Repo`1[[System.__Canon, System.Private.CoreLib]]", new[] { "TEntity" }, "Shop.Repo<TEntity>")]
    [InlineData("Shop.Repo`1[[Shop.Orders, Shop]]", null, "Shop.Repo<Shop.Orders>")]
    [InlineData("Shop.Map`2[[System.String, System.Private.CoreLib],[System.Collections.Generic.List`1[[System.Int32, System.Private.CoreLib]], System.Private.CoreLib]]", null,
        "Shop.Map<System.String, System.Collections.Generic.List<System.Int32>>")]
    [InlineData("Shop.Repo<System.__Canon>", null, "Shop.Repo<T>")]
    [InlineData("Shop.Map<System.__Canon, System.__Canon>", null, "Shop.Map<T, T2>")]
    [InlineData("Shop.Program+<>c", null, "Shop.Program+<>c")]
    [InlineData("Shop.Repo<List<System.__Canon>>", new[] { "T" }, "Shop.Repo<List<System.__Canon>>")]
    public void ARuntimeTypeName_IsWrittenAsTheSourceNamesIt(string runtime, string[]? parameters, string source)
    {
        Assert.Equal(source, SourceNames.Type(runtime, parameters));
    }

    [Fact]
    public async Task AnAbbaInsideAGenericMethod_NamesItAsTheSourceDoes()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("generic-repo-abba");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();

        Assert.True(outcome.Diagnosis.Reports.Single().Code == "BRG1001", text);
        Assert.DoesNotContain("__Canon", text, StringComparison.Ordinal);
        Assert.Contains("GenericRepoAbba+Repo<T>.Save (GenericRepoAbba.cs:", text, StringComparison.Ordinal);
        Assert.All(outcome.Diagnosis.Deadlocks.Single().Links, l => Assert.EndsWith("Repo<T>.Save", l.Wait.Site!.Method, StringComparison.Ordinal));
        Assert.DoesNotContain(outcome.Diagnosis.Threads.SelectMany(t => t.Frames), f => f.Method.Contains("__Canon", StringComparison.Ordinal));
    }
}
