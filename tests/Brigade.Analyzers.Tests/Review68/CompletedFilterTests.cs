using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review68;

// Review 68 (found by its probes). After `await Task.WhenAny(tasks)`, users take the results of the tasks done so far:
// `tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)`, `foreach (var t in tasks.Where(t => t.IsCompleted))
// ... t.Result`, `tasks.First(t => t.IsCompleted).Result`. The filter is the guard `if (t.IsCompleted)` is, but it was not
// read: each `.Result` was reported. Now an element of a sequence filtered by a Where whose predicate says the task is
// complete (as a guard would: IsCompleted, IsCompletedSuccessfully, Status == RanToCompletion, a pattern), through
// operators that keep the elements, and the element a First/Single/Last(predicate) picks so, are complete. Still
// reported: a filter that does not say so (`!t.IsCompleted`, `t.IsFaulted == false`... as a guard), a Select between the
// filter and the read (its elements are others), a predicate on another task.
public sealed class CompletedFilterTests
{
    [Fact]
    public Task Leaves_results_of_tasks_filtered_as_complete_alone() => Verifier.AnalyzerAsync(
        """
        class Reports
        {
            public async Task<int> SumAsync(List<Task<int>> tasks, Task<int> other)
            {
                await Task.WhenAny(tasks);
                var done = tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Sum();
                foreach (var t in tasks.Where(t => t.IsCompleted).OrderBy(t => t.Id)) done += t.Result;
                foreach (var t in tasks.ToList().Where(t => t.Status == TaskStatus.RanToCompletion).ToArray()) done += t.Result;
                done += tasks.Where(t => t is { IsCompleted: true }).Sum(t => t.Result);
                done += tasks.First(t => t.IsCompleted).Result;
                done += tasks.FirstOrDefault(t => t.IsCompletedSuccessfully)?.Result ?? 0;
                return done;
            }

            public async Task<int> StillBlocksAsync(List<Task<int>> tasks, List<Task<Task<int>>> nested, Task<int> other)
            {
                await Task.WhenAny(tasks);
                var done = tasks.Where(t => !t.IsCompleted).Select(t => [|t.Result|]).Sum();
                foreach (var t in tasks.Where(t => t.Id > 0)) done += [|t.Result|];
                foreach (var t in tasks.Where(t => other.IsCompleted)) done += [|t.Result|];
                done += nested.Where(t => t.IsCompleted).Select(t => t.Result).Select(inner => [|inner.Result|]).Sum();
                done += [|tasks.First(t => t.Id > 0).Result|];
                return done;
            }
        }
        """);
}
