using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Brigade.Analyzers.Tests.Infrastructure;

namespace Brigade.Analyzers.Tests.Review47;

// Review 47 (left by review 46): akka.net's tests read a task's result after the test kit's helpers, which are in
// another assembly (41 of akka.net's 59 false BRG2003): `await t.ShouldCompleteWithin(3.Seconds()); t.Result`,
// `await t.WithTimeout(timeout); t.Result`, `await t.WithCancellation(token); t.Result`. A helper of another assembly
// has no body to read; what its metadata says is its name, its receiver and its return type. An awaited extension of
// another assembly whose receiver is the task and whose name says it waits for it (WithTimeout, WithCancellation,
// TimeoutAfter, ShouldCompleteWithin, ...) completes it, as `await t.WaitAsync(timeout)` does (it throws when it gives
// up). One that returns a bool for a task that is not one (akka.net's `Task<bool> AwaitWithTimeout(this Task t, ...)`,
// false on timeout) says whether the task completed: like `t.Wait(timeout)`, only where that bool is asserted or tested.
public sealed class ExternalCompletingHelperTests
{
    // The shapes of akka.net's test kit (Akka.TestKit/Extensions/TaskExtensions.cs, Akka/Util/Internal/TaskExtensions.cs),
    // compiled apart: the code analysed sees their metadata only.
    private const string TestKit = """
        namespace Kit
        {
            public static class TaskExtensions
            {
                public static async Task<bool> AwaitWithTimeout(this Task parentTask, TimeSpan timeout)
                {
                    var returned = await Task.WhenAny(Task.Delay(timeout), parentTask);
                    return parentTask.IsCompleted;
                }

                public static async Task<T> WithTimeout<T>(this Task<T> parentTask, TimeSpan timeout)
                {
                    if (await Task.WhenAny(Task.Delay(timeout), parentTask) != parentTask) throw new TaskCanceledException();
                    return await parentTask;
                }

                public static async Task<T> ShouldCompleteWithin<T>(this Task<T> task, TimeSpan timeout)
                {
                    Func<Task<T>> f = async () => await task;
                    return await f().WithTimeout(timeout);
                }

                public static async Task ShouldCompleteWithin(this Task task, TimeSpan timeout)
                {
                    Func<Task> f = async () => await task;
                    await f();
                }

                public static Task WithCancellation(this Task task, CancellationToken token) => task.WaitAsync(token);

                // A name that says nothing of the task: it may return before it completes.
                public static async Task Logged(this Task task) { await Task.Yield(); }

                // The task given second: not the receiver.
                public static async Task ThenWithTimeout(this Task first, Task second, TimeSpan timeout) { await first; }
            }

            public static class Assert
            {
                public static void True(bool condition, string message = "") { if (!condition) throw new Exception(message); }
            }
        }
        """;

    private const string Tests = """
        using Kit;

        class Specs
        {
            static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

            // False alarms before: the helpers throw unless the task completes.
            async Task<int> ShouldCompleteWithin(Task<int> t) { await t.ShouldCompleteWithin(Timeout); return t.Result; }
            async Task<int> ShouldCompleteWithinNonGeneric(Task<int> t) { await ((Task)t).ShouldCompleteWithin(Timeout); return t.Result; }
            async Task<int> WithTimeout(TaskCompletionSource<int> promise) { await promise.Task.WithTimeout(Timeout).ConfigureAwait(false); return promise.Task.Result; }
            async Task<int> WithCancellation(Task<int> t, CancellationToken token) { await t.WithCancellation(token); return t.Result; }
            async Task<int> Asserted(Task<int> t) { Assert.True(await t.AwaitWithTimeout(Timeout), "late"); return t.Result; }
            async Task<int> Tested(Task<int> t) { if (await t.AwaitWithTimeout(Timeout)) return t.Result; return -1; }

            // Reported, as before: the bool is dropped (on a timeout the read blocks), or the helper says nothing of t.
            async Task<int> Dropped(Task<int> t) { await t.AwaitWithTimeout(Timeout); return [|t.Result|]; }
            async Task<int> Logged(Task<int> t) { await t.Logged(); return [|t.Result|]; }
            async Task<int> NotTheReceiver(Task<int> t) { await Task.CompletedTask.ThenWithTimeout(t, Timeout); return [|t.Result|]; }
            async Task<int> Other(Task<int> t, Task<int> u) { await u.WithTimeout(Timeout); return [|t.Result|]; }
            async Task<int> Swallowed(Task<int> t)
            {
                try { await t.WithTimeout(Timeout); } catch (TaskCanceledException) { }
                return [|t.Result|];
            }
        }
        """;

    [Fact]
    public async Task BRG2003_takes_a_waiting_helper_of_another_assembly_by_its_name_receiver_and_return_type()
    {
        var kit = CSharpCompilation.Create(
            "Kit",
            [CSharpSyntaxTree.ParseText(Verify<BRG2003BlockingOnThreadPoolAnalyzer>.Usings + TestKit)],
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(kit.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var test = new CSharpAnalyzerTest<BRG2003BlockingOnThreadPoolAnalyzer, DefaultVerifier>
        {
            TestCode = Verify<BRG2003BlockingOnThreadPoolAnalyzer>.Usings + Tests,
            ReferenceAssemblies = TestReferences.None,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        using var image = new MemoryStream();
        Assert.True(kit.Emit(image).Success);
        test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromImage(image.ToArray()));
        await test.RunAsync();
    }
}
