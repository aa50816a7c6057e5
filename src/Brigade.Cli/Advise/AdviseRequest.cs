namespace Brigade.Cli.Advise;

/// <summary>What one <c>brigade advise</c> measures, from its command line once checked (<c>AdviseCommand.Check</c>).</summary>
/// <param name="Ids">The reference workloads to measure (empty for the user's work).</param>
/// <param name="User">The user's work, or null for the reference suite.</param>
/// <param name="Engines">The engines <c>--engines</c> named, in the order help lists them; null without it.</param>
/// <param name="Quick">Whether <c>--quick</c> was given.</param>
/// <param name="Json">Whether <c>--json</c> was given.</param>
/// <param name="Repetitions">Runs per configuration.</param>
internal sealed record AdviseRequest(List<string> Ids, AdviseUserWork? User, List<string>? Engines, bool Quick, bool Json, int Repetitions);
