using Brigade.Testing.Conformance.Work;

namespace Brigade.Testing.Conformance.Cases;

/// <summary>A work type runs wherever C# lets it run: through variance, with more derived inputs and less derived results.</summary>
internal static class TypeCases
{
    private const string Area = "Types";

    public static IEnumerable<ConformanceCase> All =>
    [
        new(Area, "Variance_WorkTypeRunAsBaseAndDerivedTypes", "Work on a base input type run with derived inputs, its results held as a base type: every item runs and comes back as the work's result type.", VarianceAsync),
    ];

    private static async Task VarianceAsync(CaseContext c)
    {
        var items = Enumerable.Range(0, 200).Select(i => new DerivedVariantItem { Value = i, Tag = "t" + i }).ToArray();
        IWork<DerivedVariantItem, object> work = new Variant();
        var result = await CaseContext.Bounded(Runner.MapAsync(items, work, c.Options(batchSize: 8))).ConfigureAwait(false);
        c.True(result.IsSuccess, $"the run succeeds: {string.Join("; ", result.Failures.Take(3))}");
        for (var i = 0; i < items.Length; i++)
        {
            c.True(result[i].Value is ConformanceItem { Value: var v } && v == CaseContext.Result(i), $"item {i} comes back as ConformanceItem({CaseContext.Result(i)}): {result[i].Value}");
        }
    }
}
