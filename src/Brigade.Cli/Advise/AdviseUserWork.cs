using Brigade.Cli.Run;

namespace Brigade.Cli.Advise;

/// <summary><c>brigade advise --assembly PATH --work TYPE --input FILE</c>: the user's work to measure, as given.</summary>
/// <param name="Assembly">The <c>--assembly</c> path.</param>
/// <param name="Work">The <c>--work</c> type name.</param>
/// <param name="Input">The <c>--input</c> file, or <c>-</c>.</param>
/// <param name="Format">How to read the input.</param>
internal sealed record AdviseUserWork(string Assembly, string Work, string Input, InputFormat Format);
