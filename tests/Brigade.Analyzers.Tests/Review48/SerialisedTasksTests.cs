using V2002 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review48;

// Review 48 (Orleans' 4 false BRG2002 of review 47): tasks created in a loop that do not run at once. `new Task(...)`
// started on a scheduler of the code's own (`task.Start(scheduler)`, Orleans' activation scheduler runs one at a time:
// OrleansTaskSchedulerAdvancedTests_Set2.cs:571, :580), and `op = Task.Run(...)` in a loop that awaits `op` before
// starting the next (GrainDirectoryResilienceTests.cs:135, :139).
public sealed class SerialisedTasksTests
{
    [Fact]
    public async Task BRG2002_leaves_tasks_on_an_own_scheduler_and_runs_awaited_before_the_next()
    {
        await V2002.AnalyzerAsync("""
            class C
            {
                async Task OwnScheduler(TaskScheduler scheduler)
                {
                    var executing = -1;
                    var tasks = new Task[3];
                    for (var i = 0; i < 3; i++) tasks[i] = new Task(() => { executing = executing + 1; });
                    foreach (var t in tasks) t.Start(scheduler);
                    await Task.WhenAll(tasks);
                }

                async Task DefaultScheduler()
                {
                    var executing = -1;
                    var tasks = new Task[3];
                    for (var i = 0; i < 3; i++) tasks[i] = new Task(() => { [|executing = executing + 1|]; });
                    foreach (var t in tasks) t.Start(TaskScheduler.Default);
                    await Task.WhenAll(tasks);
                }

                async Task AwaitedBeforeNext(CancellationToken token)
                {
                    var target = 0;
                    var operation = Task.CompletedTask;
                    while (!token.IsCancellationRequested)
                    {
                        if (target >= 0)
                        {
                            await operation;
                            operation = Task.Run(async () => { await Task.Yield(); target++; });
                        }
                    }
                }

                async Task AwaitedAfter(CancellationToken token)
                {
                    var target = 0;
                    var operation = Task.CompletedTask;
                    while (!token.IsCancellationRequested)
                    {
                        operation = Task.Run(() => { [|target++|]; });
                        await Task.Delay(1);
                    }

                    await operation;
                }
            }
            """);
    }
}
