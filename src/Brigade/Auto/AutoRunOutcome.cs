namespace Brigade.Auto;

/// <summary>
/// What an auto run ended with, as <see cref="AutoRun{TIn, TOut}"/> read it before it stopped timing lock waits: handed to
/// <see cref="AutoEngineOptions.OnFinished"/> so that tests check the real run's evidence, not a copy of its steps.
/// </summary>
/// <param name="Totals">Every worker's totals, read exactly once every loop had left (<c>AutoWorkerPool.Totals(exact: true)</c>).</param>
/// <param name="Warmup">The warm-up batches kept out of <paramref name="Totals"/> (<see cref="WarmupSample"/>).</param>
/// <param name="Decision">The plan the run followed last, decided at its end when the input ended within the sample; null when nothing finished.</param>
/// <param name="Plans">Every plan of the run, in order.</param>
/// <param name="Workers">Every worker the run launched, retired ones included.</param>
/// <param name="Helper">The pool thread that joined a tiny job, or null (not one of <paramref name="Workers"/>; its batches are in <paramref name="Totals"/>).</param>
internal sealed record AutoRunOutcome(
    WorkSample Totals,
    WorkSample Warmup,
    PlanDecision? Decision,
    IReadOnlyList<AutoPlan> Plans,
    IReadOnlyList<AutoWorker> Workers,
    AutoWorker? Helper = null);
