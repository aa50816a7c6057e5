using Brigade.Diagnostics;
using Brigade.Doctor.Corpus;

namespace Brigade.Doctor.Tests;

/// <summary>Every labelled program of the corpus, diagnosed from outside, gets exactly its label's findings.</summary>
public sealed class CorpusTests(CorpusFixture corpus) : IClassFixture<CorpusFixture>
{
    public static TheoryData<string> ScenarioNames => [.. CorpusFixture.Scenarios.Select(s => s.Name)];

    [Fact]
    public void Corpus_HasAtLeast25LabelledPrograms_WithDeadlocksSyncOverAsyncStarvationAndCorrectTwins()
    {
        var scenarios = CorpusFixture.Scenarios;
        Assert.True(scenarios.Count >= 25, $"{scenarios.Count} programs");
        Assert.True(scenarios.Count(s => s.Expected.Finding == Finding.Deadlock) >= 10);
        Assert.True(scenarios.Count(s => s.Expected.Finding == Finding.SyncOverAsync) >= 3);
        Assert.True(scenarios.Count(s => s.Expected.Finding == Finding.ThreadPoolStarvation) >= 2);
        Assert.True(scenarios.Count(s => s.Name.StartsWith("twin-", StringComparison.Ordinal)) >= 8);
    }

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Scenario_DiagnosedFromOutside_FindsExactlyWhatItsLabelSays(string name)
    {
        var expected = CorpusFixture.Scenarios.Single(s => s.Name == name).Expected;
        var outcome = corpus.Outcomes[name];
        Assert.True(outcome.Error is null, $"{name}: {outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        Assert.True(outcome.LeftRunning, $"{name}: the diagnosed process did not survive its dump");
        var text = diagnosis.ToString();
        var codes = diagnosis.Reports.Select(r => r.Code).ToList();

        switch (expected.Finding)
        {
            case Finding.Deadlock:
                Assert.All(codes, c => Assert.Equal("BRG1001", c));
                Assert.Equal(expected.Cycles.Length, diagnosis.Deadlocks.Count);
                var kinds = new HashSet<string>(StringComparer.Ordinal);
                foreach (var cycle in expected.Cycles)
                {
                    var found = diagnosis.Deadlocks.Where(d => d.Threads.Select(t => t.Name).Order().SequenceEqual(cycle.Order())).ToList();
                    Assert.True(found.Count == 1, $"{name}: no cycle of exactly [{string.Join(", ", cycle)}] in:\n{text}");
                    // Review 64: a program with cycles of different kinds (join-each-other) lists them all; each cycle's kinds are among them.
                    kinds.UnionWith(found[0].Links.Select(l => l.Wait.Kind.ToString()));
                    Assert.All(found[0].Links, l => Assert.NotNull(l.Wait.Site));

                    // Each link of the report names its holder once ("held by thread #5 ..., held by thread 'w' (#5)" named a
                    // ReaderWriterLockSlim's writer twice).
                    var lines = diagnosis.Reports.SelectMany(r => r.Message.Split('\n')).ToList();
                    Assert.All(found[0].Links.Where(l => l.Wait.Kind != WaitKind.Task), l =>
                    {
                        var line = lines.Single(x => x.Contains($"{l.Waiter} waits in", StringComparison.Ordinal));
                        Assert.True(System.Text.RegularExpressions.Regex.Count(line, $@"#{l.Holder.ManagedThreadId}\b") == 1, $"{name}: the holder is named more than once in: {line}");
                    });
                }

                // Review 64: a program with cycles of different kinds (join-each-other) lists the kinds of all its cycles.
                if (expected.Cycles.Length > 0)
                {
                    Assert.Equal(expected.WaitKinds.Order(StringComparer.Ordinal), kinds.Order(StringComparer.Ordinal));
                }

                Assert.All(expected.AlsoStuck, s => Assert.Contains(diagnosis.Deadlocks.SelectMany(d => d.AlsoStuck), t => t.Name == s));
                if (expected.HeldIn is not null)
                {
                    Assert.Contains(diagnosis.Deadlocks.SelectMany(d => d.Links), l => l.Wait.Target?.HeldIn == expected.HeldIn);
                }

                Assert.StartsWith("Deadlock detected:", diagnosis.Reports[0].Message, StringComparison.Ordinal);
                break;

            case Finding.ThreadPoolStarvation:
                Assert.Equal(["BRG1004"], codes);
                Assert.True(diagnosis.ThreadPool is { IsStarved: true, QueuedWorkItems: > 0 }, text);
                Assert.True(diagnosis.ThreadPool!.BlockedOnTasks >= expected.SyncOverAsyncPoolThreads, text);
                Assert.Empty(diagnosis.Deadlocks);
                Assert.StartsWith("Thread-pool starvation detected:", diagnosis.Reports[0].Message, StringComparison.Ordinal);
                break;

            case Finding.SyncOverAsync:
                Assert.Equal(["BRG1008"], codes);
                Assert.True(diagnosis.SyncOverAsync.Count(t => t.IsThreadPoolWorker) >= expected.SyncOverAsyncPoolThreads, text);
                Assert.Contains(diagnosis.SyncOverAsync, t => t.Wait!.Task?.ToString().Contains(expected.TaskChainContains!, StringComparison.Ordinal) == true);
                Assert.Empty(diagnosis.Deadlocks);
                Assert.StartsWith("Hang detected:", diagnosis.Reports[0].Message, StringComparison.Ordinal);
                break;

            case Finding.AsyncDeadlock:
                // No thread is in the cycle: its flows are, and the thread waiting on them is stuck behind it.
                Assert.True(codes.SequenceEqual(["BRG1001"]), $"{name}: expected one possible deadlock:\n{text}");
                var asyncCycle = Assert.Single(diagnosis.Deadlocks);
                Assert.True(asyncCycle.IsPossible, text);
                Assert.Empty(asyncCycle.Links);
                Assert.Equal(expected.AsyncCycle.Length, asyncCycle.AsyncLinks.Count);
                Assert.All(expected.AsyncCycle, method => Assert.Contains(asyncCycle.AsyncLinks, l => l.Flow.ToString().Contains($".{method} (suspended at await #", StringComparison.Ordinal)));
                Assert.All(asyncCycle.AsyncLinks, l => Assert.Equal(0, l.Semaphore.CurrentCount));
                // Review 56: a cycle nothing waits on (async-lock-order-deadlock-unawaited) has no thread stuck behind it.
                Assert.True(asyncCycle.AlsoStuck.Count > 0 || !diagnosis.Threads.Any(t => t.Wait?.Kind == WaitKind.Task), $"{name}: a thread waits on a task but is not stuck behind the cycle:\n{text}");
                if (expected.HeldIn is not null)
                {
                    Assert.Contains(asyncCycle.AsyncLinks, l => l.Semaphore.Target.HeldIn == expected.HeldIn);
                }

                Assert.StartsWith("Deadlock detected:", diagnosis.Reports[0].Message, StringComparison.Ordinal);
                Assert.Contains("A possible deadlock", diagnosis.Reports[0].Message, StringComparison.Ordinal);
                Assert.Contains("\"possible\": true", diagnosis.ToJson(), StringComparison.Ordinal);
                break;

            case Finding.AsyncHang:
                Assert.True(codes.SequenceEqual(["BRG1008"]), $"{name}: expected one hang:\n{text}");
                Assert.Empty(diagnosis.Deadlocks);
                Assert.StartsWith("Hang detected:", diagnosis.Reports[0].Message, StringComparison.Ordinal);
                Assert.Contains("SemaphoreSlim.WaitAsync", diagnosis.Reports[0].Message, StringComparison.Ordinal);
                break;

            case Finding.Hang:
                // Review 65: checked as the others are (the switch had no case for it): each hang's rule, "possible", threads,
                // ended task and Release line; the program's other waiters stay listed without an owner.
                Assert.True(codes.Count == expected.Hangs.Length && codes.All(c => c == "BRG1008"), $"{name}: expected {expected.Hangs.Length} hangs:\n{text}");
                Assert.Empty(diagnosis.Deadlocks);
                var file = $"{CorpusFixture.Scenarios.Single(s => s.Name == name).GetType().Name}.cs";
                foreach (var hang in expected.Hangs)
                {
                    var report = diagnosis.Reports.SingleOrDefault(r => r.Threads.Select(t => t.Name).Order(StringComparer.Ordinal).SequenceEqual(hang.Threads.Order(StringComparer.Ordinal)));
                    Assert.True(report is not null, $"{name}: no hang of exactly [{string.Join(", ", hang.Threads)}] in:\n{text}");
                    Assert.Equal(PitfallKind.Hang, report!.Kind);
                    Assert.StartsWith("Hang detected:", report.Message, StringComparison.Ordinal);
                    Assert.Contains("A possible hang: unless code the dump does not show releases it", report.Message, StringComparison.Ordinal);
                    Assert.Contains(hang.Task, report.Message, StringComparison.Ordinal);
                    Assert.Contains($"({file}:{Review64.CorpusSource.LineOf(file, hang.ReleaseLine)}) calls Release on it", report.Message, StringComparison.Ordinal);
                }

                foreach (var blocked in expected.Blocked)
                {
                    var thread = diagnosis.BlockedWithoutOwner.FirstOrDefault(t => t.Name == blocked);
                    Assert.True(thread is not null, $"{name}: '{blocked}' not listed as blocked without owner:\n{text}");
                    Assert.Contains(thread!.Wait!.Kind.ToString(), expected.WaitKinds);
                    Assert.DoesNotContain(diagnosis.Reports, r => r.Threads.Any(t => t.Name == blocked));
                }

                if (expected.HeldIn is not null)
                {
                    Assert.Contains(diagnosis.BlockedWithoutOwner, t => t.Wait!.Target?.HeldIn == expected.HeldIn);
                }

                break;

            case Finding.OwnerlessHang:
                // Review 71: one hang naming exactly the waiters nothing can signal (OwnerlessHangTests checks its words).
                Assert.True(codes.SequenceEqual(["BRG1008"]), $"{name}: expected one hang:\n{text}");
                Assert.Empty(diagnosis.Deadlocks);
                Assert.Equal(expected.Blocked.Order(StringComparer.Ordinal), diagnosis.Reports[0].Threads.Select(t => t.Name!).Order(StringComparer.Ordinal));
                Assert.StartsWith("Hang detected:", diagnosis.Reports[0].Message, StringComparison.Ordinal);
                break;

            case Finding.Livelock:
                // Review 72: threads retrying each other's locks with finite TryEnters: no deadlock (FiniteTryEnterTests checks its words).
                Assert.True(codes.Count == expected.Cycles.Length && codes.All(c => c == "BRG1007"), $"{name}: expected {expected.Cycles.Length} livelocks:\n{text}");
                Assert.Empty(diagnosis.Deadlocks);
                Assert.All(expected.Cycles, cycle => Assert.Contains(diagnosis.Reports, r => r.Threads.Select(t => t.Name!).Order(StringComparer.Ordinal).SequenceEqual(cycle.Order(StringComparer.Ordinal))));
                break;

            case Finding.None:
                Assert.True(codes.Count == 0, $"{name}: a correct program was reported:\n{text}");
                Assert.Empty(diagnosis.Deadlocks);
                foreach (var blocked in expected.Blocked)
                {
                    var thread = diagnosis.BlockedWithoutOwner.FirstOrDefault(t => t.Name == blocked);
                    Assert.True(thread is not null, $"{name}: '{blocked}' not listed as blocked without owner:\n{text}");
                    Assert.Contains(thread!.Wait!.Kind.ToString(), expected.WaitKinds);
                    Assert.Contains(blocked, text, StringComparison.Ordinal);
                }

                if (expected.HeldIn is not null)
                {
                    Assert.Contains(diagnosis.BlockedWithoutOwner, t => t.Wait!.Target?.HeldIn == expected.HeldIn);
                }

                Assert.Contains("No pitfall found", text, StringComparison.Ordinal);
                break;
        }

        if (expected.TextContains is not null)
        {
            Assert.True(text.Contains(expected.TextContains, StringComparison.Ordinal), $"{name}: the report does not say '{expected.TextContains}':\n{text}");
        }
    }
}
